"""/apply and dates people can read: the round's period, cap and money left come first; the
calendar names weekdays and months and offers only days of the round."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import Application
from conversations.date_picker import DAY
from tests.chat import Chat
from tests.conversations.grants.test_application import fill_until_counts, volunteer
from tests.conversations.people.test_onboarding import gettext

# The seeded round runs through the calendar year; the test clock stands at Tue, 24 Nov 2026.
OPENS, CLOSES, TODAY = date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 24)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_choices(chat: Chat) -> list[date]:
    return [date.fromisoformat(c.data.removeprefix(DAY)) for c in chat.choices if c.data[:4] == DAY]


async def to_the_start_date(chat: Chat, locale: str) -> None:
    await fill_until_counts(chat, locale)
    await chat.send("4")
    await chat.send("20")


@pytest.mark.parametrize("locale", ["de", "en", "ar"])
async def test_the_first_screen_names_the_period_the_cap_and_the_money_left(
    app: App, locale: str
) -> None:
    _ = gettext(app, locale)
    t = app.catalogs.translator(locale)
    chat = await volunteer(app, locale)
    await chat.send("/apply")
    assert (
        _("The round runs from {start} to {end}.").format(
            start=t.format_date(OPENS), end=t.format_date(CLOSES)
        )
        in chat.text
    )
    assert _("At most {cap} per application.").format(cap=t.format_money(100_000)) in chat.text
    assert (
        _("Still available in this round: {remaining}.").format(remaining=t.format_money(1_000_000))
        in chat.text
    )
    assert _("Start the application") in chat.labels  # all of it before the first question


async def test_the_period_reads_with_weekdays(app: App) -> None:
    chat = await volunteer(app, "de")
    await chat.send("/apply")
    assert "Do., 1. Jan. 2026 bis Do., 31. Dez. 2026" in chat.text
    assert "1.000,00\u00a0€" in chat.text and "10.000,00\u00a0€" in chat.text


@pytest.mark.parametrize("locale", ["de", "en", "ar"])
async def test_the_start_calendar_names_weekdays_and_months_and_only_days_of_the_round(
    app: App, locale: str
) -> None:
    _ = gettext(app, locale)
    t = app.catalogs.translator(locale)
    chat = await volunteer(app, locale)
    await to_the_start_date(chat, locale)
    assert chat.text.startswith(_("When does the project start?"))
    assert (
        _("The round runs from {start} to {end}.").format(
            start=t.format_date(OPENS), end=t.format_date(CLOSES)
        )
        in chat.text
    )

    # November: from today to its end, each day with weekday and month; onward to December only.
    assert day_choices(chat) == days(TODAY, date(2026, 11, 30))
    day_labels = [c.label for c in chat.choices if c.data.startswith(DAY)]
    assert day_labels == [t.format_day(d) for d in days(TODAY, date(2026, 11, 30))]
    assert not any(label.isdigit() for label in day_labels)
    assert [c.label for c in chat.choices if c.data.startswith("month:")] == [
        t.format_month(date(2026, 12, 1)) + " ▶"
    ]

    # December: every day up to the round's end, and back to November; no January 2027.
    await chat.press(t.format_month(date(2026, 12, 1)) + " ▶")
    assert day_choices(chat) == days(date(2026, 12, 1), CLOSES)
    assert [c.label for c in chat.choices if c.data.startswith("month:")] == [
        "◀ " + t.format_month(date(2026, 11, 1))
    ]
    # A week in two rows, Monday to Thursday and Friday to Sunday.
    week = [row for row in chat.replies[-1].choices if DAY + "2026-12-07" in [c.data for c in row]]
    assert [c.data for c in week[0]] == [DAY + f"2026-12-{d:02}" for d in (7, 8, 9, 10)]


async def test_german_day_labels(app: App) -> None:
    chat = await volunteer(app, "de")
    await to_the_start_date(chat, "de")
    assert chat.labels[:3] == ["Di., 24. Nov.", "Mi., 25. Nov.", "Do., 26. Nov."]
    await chat.press("Dezember 2026 ▶")
    assert "Mi., 9. Dez." in chat.labels and "Do., 31. Dez." in chat.labels


async def test_the_end_calendar_runs_from_the_start_to_the_rounds_end(app: App) -> None:
    _ = gettext(app, "en")
    t = app.catalogs.translator("en")
    chat = await volunteer(app, "en")
    await to_the_start_date(chat, "en")
    await chat.press("December 2026 ▶")
    await chat.press(t.format_day(date(2026, 12, 10)))
    assert chat.text.startswith(_("When does the project end?"))
    assert day_choices(chat) == days(date(2026, 12, 10), CLOSES)
    assert not [c for c in chat.choices if c.data.startswith("month:")]  # nowhere else to go

    # A date after the round, typed: refused with the period, the same question again.
    await chat.send("31.03.2027")
    assert chat.replies[0].text.startswith(
        _("The project must take place within the funding round.")
    )
    assert "Thu, Jan 1, 2026" in chat.replies[0].text and "Thu, Dec 31, 2026" in chat.text
    assert chat.replies[-1].text.startswith(_("When does the project end?"))

    # A bare number is that day of the month shown, as Signal and the terminal show days.
    await chat.send("19")
    assert chat.text.startswith(_("<b>Cost plan</b>").replace("<b>", "").replace("</b>", ""))
    async with app.database.transaction() as session:
        application = await session.scalar(select(Application))
    assert application is not None
    assert (application.starts_on, application.ends_on) == (date(2026, 12, 10), date(2026, 12, 19))


async def test_a_typed_day_that_the_month_shown_lacks_is_not_a_date(app: App) -> None:
    _ = gettext(app, "en")
    chat = await volunteer(app, "en")
    await to_the_start_date(chat, "en")
    await chat.send("31")  # November has no 31st
    assert chat.replies[0].text.startswith("I could not read that date.")
    await chat.send("30")
    assert chat.text.startswith(_("When does the project end?"))


async def test_the_summary_shows_the_dates_with_weekdays(app: App) -> None:
    chat = await volunteer(app, "de")
    await to_the_start_date(chat, "de")
    await chat.press("Dezember 2026 ▶")
    await chat.press("Sa., 5. Dez.")
    await chat.press("Sa., 19. Dez.")
    await chat.press(gettext(app, "de")("Room costs for joint events"))
    await chat.send("Saal")
    await chat.send("300")
    await chat.press(gettext(app, "de")("The cost plan is complete"))
    assert "Sa., 5. Dez. 2026" in chat.text and "Sa., 19. Dez. 2026" in chat.text
