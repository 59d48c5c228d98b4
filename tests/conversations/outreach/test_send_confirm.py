"""The last look before an announcement or a survey goes out: how many people it reaches, one
press more, "back" sends nothing; and each language's preview is shown once per showing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Broadcast, Survey
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member
from tests.conversations.outreach.test_broadcast import everyone
from tests.conversations.people.test_onboarding import gettext

PREVIEW = ("{language}, {count} person, will read:", "{language}, {count} people, will read:")


async def rows_of(app: App, table: type[Broadcast] | type[Survey]) -> int:
    async with app.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def previews(staff: Chat) -> list[str]:
    """The replies that are a language's preview (the staff member reads English)."""
    t = staff.app.catalogs.translator("en")
    headings = [
        re.escape(t.ngettext(*PREVIEW, n))
        .replace(r"\{language\}", ".+")
        .replace(r"\{count\}", r"\d+")
        for n in (1, 2)
    ]
    return [r.text for r in staff.replies if any(re.match(h + "\n", r.text) for h in headings)]


async def to_the_preview(staff: Chat) -> None:
    en = gettext(staff.app, "en")
    await staff.send("/broadcast")
    await staff.press(en("Newcomers"))
    await staff.press("Parchim")
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send("Sprachcafé am Freitag")
    await staff.press("العربية")
    await staff.send("مقهى اللغة يوم الجمعة")
    await staff.press(en("Done"))
    await staff.press(en("Continue"))  # the summary


async def test_each_preview_once_then_one_confirmation_and_back_sends_nothing(app: App) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    for chat in chats.values():
        chat.channel.take(chat.address)
    en = gettext(app, "en")
    t = app.catalogs.translator("en")
    await to_the_preview(staff)
    one = {
        locale: t.ngettext(*PREVIEW, 1).format(language=name, count=1)
        for locale, name in (("ar", "Arabic"), ("de", "German"))
    }
    shown = previews(staff)
    assert len(shown) == 2 and [p.split("\n")[0] for p in shown] == [one["ar"], one["de"]]

    await staff.press(en("Send"))
    assert previews(staff) == []  # not again with the question that follows
    assert [r.text for r in staff.replies] == [
        t.ngettext(
            "Send the announcement to {count} person now? It cannot be taken back from "
            "those who have it.",
            "Send the announcement to {count} people now? It cannot be taken back from "
            "those who have it.",
            2,
        ).format(count=2)
    ]
    assert staff.labels == [en("Yes, send"), en("No, back")]
    assert await rows_of(app, Broadcast) == 0

    await staff.press(en("No, back"))  # the previews again, each once, and nothing sent
    assert len(previews(staff)) == 2
    assert en("Send") in staff.labels
    assert await rows_of(app, Broadcast) == 0
    assert all(chat.channel.take(chat.address) == [] for chat in chats.values())

    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))
    assert previews(staff) == []
    assert staff.replies[0].text.startswith(
        t.ngettext(
            "The announcement is on its way to {count} person. A report of the delivery "
            "follows and stays up to date.",
            "The announcement is on its way to {count} people. A report of the delivery "
            "follows and stays up to date.",
            2,
        ).format(count=2)
    )
    assert await rows_of(app, Broadcast) == 1
    assert [r.text for r in chats["n-ar-parchim"].channel.take("n-ar-parchim")] == [
        "مقهى اللغة يوم الجمعة"
    ]

    await staff.press_data("confirm:yes")  # a double tap: not sent twice
    assert await rows_of(app, Broadcast) == 1
    assert chats["n-ar-parchim"].channel.take("n-ar-parchim") == []


async def test_a_survey_asks_once_with_its_audience_and_closing_and_back_sends_nothing(
    app: App,
) -> None:
    staff = await staff_member(app)
    chats = await everyone(app)
    for chat in chats.values():
        chat.channel.take(chat.address)
    en = gettext(app, "en")
    t = app.catalogs.translator("en")
    await staff.send("/survey")
    await staff.send("Was brauchen Sie?")
    await staff.press(en("In their own words"))
    await staff.press(en("Volunteers"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.press(en("{count} days").replace("{count}", "7"))
    await staff.press(en("Send"))
    [question] = staff.replies
    assert question.text.startswith(
        t.ngettext(
            "Send the question to {count} person now? They can answer until {date}.",
            "Send the question to {count} people now? They can answer until {date}.",
            2,
        )
        .split("{date}")[0]
        .format(count=2)
    )
    assert "2026" in question.text
    assert await rows_of(app, Survey) == 0

    await staff.press(en("No, back"))
    assert en("This is how the question will look:") in staff.text
    assert await rows_of(app, Survey) == 0
    assert all(chat.channel.take(chat.address) == [] for chat in chats.values())

    await staff.press(en("Send"))
    await staff.press(en("Yes, send"))
    assert await rows_of(app, Survey) == 1
    assert len(chats["v-fa-hagenow"].channel.take("v-fa-hagenow")) == 1
    assert chats["n-de-parchim"].channel.take("n-de-parchim") == []
