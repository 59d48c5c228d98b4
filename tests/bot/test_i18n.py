"""Babel formatting and parsing per locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.i18n import AmountError, Catalogs

catalogs = Catalogs(timezone="Europe/Berlin")


@pytest.mark.parametrize(
    ("locale", "typed", "cents"),
    [
        ("de", "1.000,50", 100050),
        ("de", "1000", 100000),
        ("de", "12,5", 1250),
        ("de", "250 €", 25000),
        ("de", "99,-", 9900),
        ("de", "0,01", 1),
        ("en", "1,000.50", 100050),
        ("en", "€1000", 100000),
        ("en", "12.5 EUR", 1250),
        ("ar", "١٬٠٠٠٫٥٠", 100050),
        ("ar", "٥٠٠", 50000),
        ("ar", "1,000.50", 100050),
        ("fa", "۱۰۰۰٫۵", 100050),
        ("fa", "۲۵۰ یورو", 25000),
        ("fa", "۱٬۰۰۰٫۵۰", 100050),
        ("fa", "۰٫۰۵", 5),
        ("ar", "\u200f١٬٠٠٠٫٥٠ €", 100050),
        ("ar", "١٢٫٥", 1250),
        ("uk", "1 000,50", 100050),
        ("ru", "1\u00a0000,50 €", 100050),
        ("uk", "300 євро", 30000),
        ("de", "12 Euro", 1200),
        ("en", "40 euros", 4000),
    ],
)
def test_amounts_are_parsed_in_the_locales_form(locale: str, typed: str, cents: int) -> None:
    assert catalogs.translator(locale).parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("de", "1,000.50"),
        ("en", "1.000,50"),
        ("de", "abc"),
        ("de", ""),
        ("de", "-5"),
        ("de", "1,005"),
        ("en", "12.345.6"),
        ("de", "€"),
        ("fa", "۱۲٫۳۴۵"),
        ("ar", "١٢٫٥٫٠"),
        ("de", "1,000"),  # an English thousand: not read as one euro
        ("en", "1.000"),  # a German thousand
        ("de", "1e3"),
        ("en", "12€50"),
    ],
)
def test_what_is_not_an_amount_is_refused(locale: str, typed: str) -> None:
    with pytest.raises(AmountError):
        catalogs.translator(locale).parse_amount(typed)


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("de", "24.12.2026", date(2026, 12, 24)),
        ("fa", "24.12.26", date(2026, 12, 24)),  # dots: day.month.year, as on German forms
        ("ar", "٢٤.١٢.٢٠٢٦", date(2026, 12, 24)),
        ("en", "12/24/26", date(2026, 12, 24)),
        ("uk", "2026-12-24", date(2026, 12, 24)),
    ],
)
def test_typed_dates(locale: str, typed: str, expected: date) -> None:
    assert catalogs.translator(locale).parse_date(typed) == expected


@pytest.mark.parametrize(
    ("locale", "typed"),
    [("fa", "۱۴۰۵/۱۰/۰۳"), ("de", "31.02.2026"), ("de", "24.12.1926"), ("en", "tomorrow")],
)
def test_what_is_not_a_date_is_refused(locale: str, typed: str) -> None:
    with pytest.raises(ValueError):
        catalogs.translator(locale).parse_date(typed)


@pytest.mark.parametrize(
    ("locale", "money", "moment"),
    [
        ("de", "1.000,50\u00a0€", "Di., 24. Nov. 2026, 18:30"),
        ("en", "€1,000.50", "Tue, Nov 24, 2026, 6:30\u202fPM"),
        ("uk", "1\u00a0000,50\u00a0EUR", "вт, 24 лист. 2026\u202fр., 18:30"),
        ("ru", "1\u00a0000,50\u00a0€", "вт, 24 нояб. 2026\u202fг., 18:30"),
        # Latin digits (see bot/i18n.py); the marks keep the order right in right-to-left text.
        ("ar", "\u200f1,000.50\u00a0€", "الثلاثاء، 24 نوفمبر 2026، 6:30 م"),
        ("fa", "\u200e€\u00a01,000.50", "سه\u200cشنبه 24 نوامبر 2026،\u200f 18:30"),
    ],
)
def test_money_and_times_are_formatted_for_the_locale(locale: str, money: str, moment: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.format_money(100050) == money
    assert translator.format_datetime(datetime(2026, 11, 24, 17, 30, tzinfo=UTC)) == moment


@pytest.mark.parametrize(
    ("locale", "day", "clock", "month"),
    [
        ("ar", "الثلاثاء، 24 نوفمبر 2026", "6:30 م", "ديسمبر 2026"),
        ("fa", "سه\u200cشنبه 24 نوامبر 2026", "18:30", "دسامبر 2026"),
    ],
)
def test_dates_and_times_in_right_to_left_locales(
    locale: str, day: str, clock: str, month: str
) -> None:
    translator = catalogs.translator(locale)
    moment = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert translator.format_date(moment) == day
    assert translator.format_time(moment) == clock
    assert translator.format_month(date(2026, 12, 1)) == month


@pytest.mark.parametrize("locale", ["de", "en", "ar", "fa", "uk", "ru"])
def test_what_the_bot_shows_can_be_typed_back(locale: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.parse_amount(translator.format_money(100050)) == 100050
    assert translator.parse_date(translator.format_short_date(date(2026, 12, 24))) == date(
        2026, 12, 24
    )


@pytest.mark.parametrize(
    ("locale", "day"),
    [
        ("de", "Mi., 9. Dez."),
        ("en", "Wed, Dec 9"),
        ("ar", "الأربعاء، 9 ديسمبر"),
        ("fa", "چهارشنبه 9 دسامبر"),
        ("uk", "ср, 9 груд."),
        ("ru", "ср, 9 дек."),
    ],
)
def test_a_calendar_day_reads_with_its_weekday_and_month(locale: str, day: str) -> None:
    translator = catalogs.translator(locale)
    assert translator.format_day(date(2026, 12, 9)) == day
    assert translator.format_date(date(2026, 12, 9)).startswith(day.rstrip("."))


def test_times_are_shown_in_berlin_across_daylight_saving() -> None:
    translator = catalogs.translator("de")
    assert translator.format_datetime(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == (
        "So., 29. März 2026, 01:30"
    )
    assert translator.format_datetime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == (
        "So., 29. März 2026, 03:30"
    )


def test_naive_times_are_a_bug() -> None:
    with pytest.raises(ValueError, match="naive"):
        catalogs.translator("de").format_datetime(datetime(2026, 1, 1, 12, 0))
