"""The office's working time: weekends and Mecklenburg-Vorpommern's public holidays are off, and
an answer promised in working days is due at the close of the last of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scheduling.working_time import WorkingTime
from bot.settings import Settings
from bot.settings_values import ConfigError

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = WorkingTime.of(Settings())


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


moments = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
promises = st.integers(min_value=1, max_value=15)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),  # a Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2025, 10, 31), False),  # Reformation Day, a Friday: a holiday in MV
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2027, 3, 8), False),  # Women's Day: a holiday in MV since 2023
        (date(2022, 3, 8), True),  # but not before
        (date(2025, 11, 19), True),  # Repentance Day: a holiday in Saxony only
        (date(2026, 6, 4), True),  # Corpus Christi: not in MV
    ],
)
def test_working_days_leave_out_weekends_and_the_public_holidays_of_mv(
    day: date, working: bool
) -> None:
    assert OFFICE.is_working_day(day) is working


def test_working_hours_are_local_and_end_before_closing() -> None:
    assert not OFFICE.is_working_time(berlin(2026, 11, 27, 7, 59))
    assert OFFICE.is_working_time(berlin(2026, 11, 27, 8, 0))
    assert OFFICE.is_working_time(berlin(2026, 11, 27, 15, 59))
    assert not OFFICE.is_working_time(berlin(2026, 11, 27, 16, 0))
    assert not OFFICE.is_working_time(berlin(2026, 11, 28, 10, 0))  # Saturday
    # 07:30 UTC is 08:30 in Berlin in winter and 09:30 in summer: both in working hours.
    assert OFFICE.is_working_time(datetime(2026, 11, 27, 7, 30, tzinfo=UTC))
    assert OFFICE.is_working_time(datetime(2026, 6, 26, 7, 30, tzinfo=UTC))


def test_a_friday_evening_question_with_one_working_day_is_due_monday_at_closing() -> None:
    assert OFFICE.deadline(berlin(2026, 11, 27, 18), 1) == berlin(2026, 11, 30, 16)
    # Earlier that Friday too: the day of arrival never counts.
    assert OFFICE.deadline(berlin(2026, 11, 27, 9), 1) == berlin(2026, 11, 30, 16)
    assert OFFICE.deadline(berlin(2026, 11, 28, 11), 1) == berlin(2026, 11, 30, 16)
    assert OFFICE.deadline(berlin(2026, 11, 30, 10), 3) == berlin(2026, 12, 3, 16)


def test_a_promise_skips_public_holidays() -> None:
    # Thursday before Reformation Day (Friday 31 October 2025): due Monday, not Friday.
    assert OFFICE.deadline(berlin(2025, 10, 30, 12), 1) == berlin(2025, 11, 3, 16)
    # Maundy Thursday 2026: Good Friday and Easter Monday are off, so due Tuesday.
    assert OFFICE.deadline(berlin(2026, 4, 2, 12), 1) == berlin(2026, 4, 7, 16)
    # Across Christmas and New Year's Day 2026/27 (Christmas Day on a Friday).
    assert OFFICE.deadline(berlin(2026, 12, 24, 12), 2) == berlin(2026, 12, 29, 16)
    assert OFFICE.deadline(berlin(2026, 12, 30, 12), 1) == berlin(2026, 12, 31, 16)
    assert OFFICE.deadline(berlin(2026, 12, 31, 12), 1) == berlin(2027, 1, 4, 16)


def test_overdue_from_closing_time_of_the_last_promised_day() -> None:
    asked = berlin(2026, 11, 27, 18)
    assert not OFFICE.is_overdue(asked, 1, berlin(2026, 11, 30, 15, 59))
    assert OFFICE.is_overdue(asked, 1, berlin(2026, 11, 30, 16))


def test_next_opening() -> None:
    assert OFFICE.next_opening(berlin(2026, 11, 27, 18)) == berlin(2026, 11, 30, 8)
    assert OFFICE.next_opening(berlin(2026, 11, 30, 6)) == berlin(2026, 11, 30, 8)
    assert OFFICE.next_opening(berlin(2026, 11, 30, 8)) == berlin(2026, 11, 30, 8)
    assert OFFICE.next_opening(berlin(2026, 11, 30, 8, 1)) == berlin(2026, 12, 1, 8)
    assert OFFICE.next_opening(berlin(2025, 10, 30, 17)) == berlin(2025, 11, 3, 8)


def test_other_working_days_and_hours() -> None:
    office = WorkingTime.of(
        Settings.from_env({"WORKING_DAYS": "Mon-Thu,Sat", "WORKING_HOURS": "7:30-12:00"})
    )
    assert office.deadline(berlin(2026, 11, 26, 10), 1) == berlin(2026, 11, 28, 12)
    assert office.next_opening(berlin(2026, 11, 26, 13)) == berlin(2026, 11, 28, 7, 30)
    assert not office.is_working_time(berlin(2026, 11, 27, 10))  # a Friday


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WORKING_DAYS", "Monday-Friday"),
        ("WORKING_DAYS", "Fri-Mon"),
        ("WORKING_DAYS", ","),
        ("WORKING_HOURS", "8-16"),
        ("WORKING_HOURS", "16:00-08:00"),
        ("WORKING_HOURS", "08:00-25:00"),
    ],
)
def test_bad_working_time_settings_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


@given(moments, promises)
def test_a_deadline_is_the_close_of_a_working_day(moment: datetime, days: int) -> None:
    due = OFFICE.deadline(moment, days).astimezone(BERLIN)
    assert OFFICE.is_working_day(due.date())
    assert due.time() == time(16)
    assert due > moment


@given(moments, promises)
def test_a_deadline_is_that_many_working_days_after_the_day_of_arrival(
    moment: datetime, days: int
) -> None:
    arrived = moment.astimezone(BERLIN).date()
    due = OFFICE.deadline(moment, days).astimezone(BERLIN).date()
    between = (arrived + timedelta(days=n) for n in range(1, (due - arrived).days + 1))
    assert sum(OFFICE.is_working_day(day) for day in between) == days


@given(moments, moments, promises)
def test_later_questions_are_never_due_earlier(a: datetime, b: datetime, days: int) -> None:
    first, second = sorted([a, b])
    assert OFFICE.deadline(first, days) <= OFFICE.deadline(second, days)
    assert OFFICE.deadline(first, days) <= OFFICE.deadline(first, days + 1)


@given(moments)
def test_the_next_opening_is_the_first_working_moment(moment: datetime) -> None:
    opening = OFFICE.next_opening(moment)
    assert opening >= moment
    assert OFFICE.is_working_time(opening)
    assert opening - moment < timedelta(days=8)  # the longest holiday stretch of MV and a weekend
    if OFFICE.is_working_time(moment) and opening != moment:  # opened before: tomorrow's
        assert opening.astimezone(BERLIN).date() > moment.astimezone(BERLIN).date()
