"""Dates people can read, through the real Telegram channel: /apply opens with the round's
period, the cap and the money left; the calendar's buttons name weekday, day and month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, press, say


async def test_apply_names_the_round_and_the_calendar_names_the_days(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar")
    _ = ar.gettext
    # The seeded round is this calendar year; the test stands on 24 November of it.
    year = bot.clock.now().year
    bot.clock.jump_to(datetime(year, 11, 24, 9, 0, tzinfo=UTC))
    opens, closes = date(year, 1, 1), date(year, 12, 31)
    await onboard(fake, ALICE, "العربية", _("I volunteer"))

    await say(fake, ALICE, "/apply")
    intro = fake.messages(ALICE)[-1]
    assert (
        _("The round runs from {start} to {end}.").format(
            start=ar.format_date(opens), end=ar.format_date(closes)
        )
        in intro.plain_text
    )
    assert _("At most {cap} per application.").format(cap=ar.format_money(100_000)) in (
        intro.plain_text
    )
    assert (
        _("Still available in this round: {remaining}.").format(
            remaining=ar.format_money(1_000_000)
        )
        in intro.plain_text
    )
    assert intro.button_labels()[0] == _("Start the application")

    await press(fake, ALICE, _("Start the application"))
    await say(fake, ALICE, "عليا حداد")
    await press(fake, ALICE, _("No, as a private person"))
    await say(fake, ALICE, "alia@example.org")
    await press(fake, ALICE, "Parchim")
    await say(fake, ALICE, "مقهى اللغة")
    await say(fake, ALICE, "لقاء أسبوعي لممارسة اللغة الألمانية مع الجيران الجدد في بارخيم.")
    await press(fake, ALICE, _("Language help"))
    await press(fake, ALICE, _("Done"))
    await say(fake, ALICE, "٤")
    await say(fake, ALICE, "٢٠")

    calendar = fake.messages(ALICE)[-1]
    assert calendar.plain_text.startswith(_("When does the project start?"))
    november = [date(year, 11, d) for d in range(24, 31)]
    days = [(label, data) for label, data in calendar.buttons() if data.startswith("day:")]
    assert days == [(ar.format_day(d), f"day:{d.isoformat()}") for d in november]
    assert days[0][0].endswith("، 24 نوفمبر")  # weekday, 24 November
    assert days[0][0].split("،")[0] in ar.format_date(november[0])
    following = ar.format_month(date(year, 12, 1)) + " ▶"
    assert [label for label, data in calendar.buttons() if data.startswith("month:")] == [following]

    await press(fake, ALICE, following)
    december = fake.messages(ALICE)[-1]
    labels = [label for label, data in december.buttons() if data.startswith("day:")]
    assert labels == [ar.format_day(date(year, 12, 1) + timedelta(days=n)) for n in range(31)]
    assert not any(data.startswith(f"day:{year + 1}") for _, data in december.buttons())
    await press(fake, ALICE, ar.format_day(date(year, 12, 9)))
    assert fake.messages(ALICE)[-1].plain_text.startswith(_("When does the project end?"))
