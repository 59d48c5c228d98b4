"""Information topics through the real Telegram channel: a newcomer in each language taps every
shipped topic and Telegram (the fake, which parses HTML as Telegram does) accepts every message;
so does a topic whose Markdown nests bold and a link."""

from __future__ import annotations

import pytest

from bot.services.outreach.topic_files import import_articles, load_directory, parse_article
from conversations.languages import LANGUAGE_CODES, endonym
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi, SentMessage
from tests.e2e.test_meetings_telegram import onboard, say

NESTED = """---
topic: offices
title: Offices online
order: 9
reviewed: 2026-11-24
---
**[The district's pages**](https://www.kreis-lup.de) list every office & its hours.
Bring your passport and the letter from the office to every appointment.
"""


async def tap(fake: FakeBotApi, chat: int, label: str, until: str) -> list[SentMessage]:
    """Presses `label` on the newest message that has it; the messages that follow, up to and
    including the one whose text starts with `until` (a hint may follow it)."""
    message = next(m for m in reversed(fake.messages(chat)) if label in m.button_labels())
    count = len(fake.messages(chat))
    fake.press_button(chat, message.message_id, label=label)
    await fake.wait_until(
        lambda: any(m.plain_text.startswith(until) for m in fake.messages(chat)[count:]), timeout=20
    )
    return fake.messages(chat)[count:]


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
async def test_a_newcomer_gets_every_topic_in_their_language(
    bot: RunningBot, fake: FakeBotApi, locale: str
) -> None:
    assert bot.app is not None
    t = bot.app.catalogs.translator(locale)
    async with bot.app.database.transaction() as session:
        nested = parse_article(NESTED, source="offices/en.md", locale="en")
        await import_articles(session, [nested], now=bot.clock.now())
    chat = 2000 + LANGUAGE_CODES.index(locale)
    fake.add_user(chat, first_name="Newcomer", language_code=locale)
    await onboard(
        fake, chat, endonym(locale), t.gettext("I am new in the district"), t.gettext("I agree")
    )
    question = t.gettext("What would you like to know? Choose a topic, or just type your question.")
    await say(fake, chat, "/info")
    articles = [article for article in load_directory() if article.locale == locale]
    assert len(articles) == 7
    for article in [*articles, nested]:
        shown = await tap(fake, chat, article.title, t.gettext("Anything else?"))
        # the article's first message (after a note where it is in another language)
        assert any(m.plain_text.startswith(article.title + "\n\n") for m in shown[:2])
        assert shown[-2].plain_text.startswith(t.gettext("Last checked: {date}").split("{")[0])
        await tap(fake, chat, t.gettext("Other topics"), question)
    nested_first = next(m for m in fake.messages(chat) if m.plain_text.startswith("Offices"))
    assert '<b><a href="https://www.kreis-lup.de">The district' in nested_first.text
    assert fake.rejected == []
