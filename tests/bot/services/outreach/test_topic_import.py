"""Importing topic files, by staff in the chat and with `python -m bot content import`: every
message newcomers will get is HTML Telegram accepts, a text longer than a few screens and a bold
mark left open are refused with their line, control characters never reach the database, and a
refused file leaves the database as it was. On SQLite and, when set, PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.app import App
from bot.channels.html import split_html
from bot.channels.telegram_html import check
from bot.db.models import InfoArticle
from bot.db.session import Database
from bot.services.outreach.markdown import markdown_to_html
from bot.services.outreach.topic_files import (
    CONTENT_DIR,
    ContentError,
    load_directory,
    parse_article,
)
from conversations.languages import LANGUAGE_CODES
from conversations.limits import TOPIC_TEXT
from conversations.outreach.info import article_messages
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext
from tests.e2e.telegram_fake import parse_html

TOPIC = """---
topic: {topic}
title: {title}
order: 3
reviewed: 2026-11-24
---
{body}
"""
SHIPPED_TITLE = "Official documents and authorities"  # content/documents/en.md
FILLER = "Bring your passport and the letter from the office to every appointment.\n"


def topic_file(body: str, *, title: str = "Documents", topic: str = "documents") -> bytes:
    return TOPIC.format(topic=topic, title=title, body=body).encode()


async def upload(staff: Chat, name: str, content: bytes) -> str:
    staff.channel.files[f"file-{name}"] = content
    await staff.send_file(name, len(content))
    return staff.replies[0].text


async def read(app: App, title: str, *, locale: str = "en") -> list[str]:
    """What a newcomer gets when they tap the topic, each message checked as Telegram would."""
    reader = await person(app, f"reader-{locale}", locale, role="I am new in the district")
    await reader.send("/info")
    await reader.press(title)
    texts = [reply.text for reply in reader.replies]
    for text in texts:
        check(text)
        parse_html(text)
    return texts


async def stored(app: App, topic: str = "documents", locale: str = "en") -> InfoArticle:
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(InfoArticle).where(InfoArticle.topic == topic, InfoArticle.locale == locale)
        )
    assert row is not None
    return row


async def test_a_bold_link_is_imported_and_newcomers_get_it(app: App) -> None:
    staff = await staff_member(app)
    body = "## Where to go\n**[The office**](https://x.de) helps with papers.\n" + FILLER
    reply = await upload(staff, "documents.en.md", topic_file(body))
    assert reply == gettext(app, "en")("Imported: “{title}” ({language}).").format(
        title="Documents", language="English"
    )
    texts = await read(app, "Documents")
    assert '<b><a href="https://x.de">The office</a></b> helps with papers.' in texts[0]


async def test_a_bold_mark_left_open_refuses_the_file_with_its_line(app: App) -> None:
    staff = await staff_member(app)
    body = FILLER + "- **112** and **110 for the police\n"
    reply = await upload(staff, "documents.en.md", topic_file(body))
    assert reply == gettext(app, "en")("The file was not imported: {problem}").format(
        problem=escape("documents.en.md:8: a bold mark ** is not closed on this line")
    )
    assert (await stored(app)).title == SHIPPED_TITLE


async def test_a_915_kb_topic_is_refused_stating_the_limit(app: App) -> None:
    staff = await staff_member(app)
    paragraph = "Offices and documents, and what to bring to each appointment. " * 10 + "\n\n"
    body = paragraph * (915_000 // len(paragraph))
    content = topic_file(body)
    assert 900_000 < len(content) < 1_000_000
    reply = await upload(staff, "documents.en.md", content)  # refused before it is read
    assert reply == gettext(app, "en")(
        "That file is too big for a topic: a topic's text may have at most {count} characters."
    ).format(count="12,000")
    line = 7 + body.count("\n", 0, TOPIC_TEXT.high)
    with pytest.raises(ContentError) as refused:  # the command line's import reads it, and says
        parse_article(content.decode(), source="documents.en.md", locale="en")
    assert str(refused.value) == (
        f"documents.en.md:{line}: the text has {len(body.strip()):,} characters, more "
        "than the 12,000 (a few screens) a topic may have, from this line on: split it into "
        "several topics"
    )
    assert (await stored(app)).title == SHIPPED_TITLE
    assert len(await read(app, SHIPPED_TITLE)) <= 5


async def test_a_text_of_a_few_screens_is_imported_in_a_few_messages(app: App) -> None:
    staff = await staff_member(app)
    body = (FILLER * 3 + "\n") * (TOPIC_TEXT.high // len(FILLER * 3 + "\n"))
    assert len(body.strip()) <= TOPIC_TEXT.high
    await upload(staff, "documents.en.md", topic_file(body))
    texts = await read(app, "Documents")
    assert 8 <= len(texts) <= 12  # the article in parts of about 1,500 characters, and a date


async def test_control_characters_in_the_header_and_text_are_removed(app: App) -> None:
    staff = await staff_member(app)
    content = TOPIC.format(
        topic="documents\x00",
        title="Ämter\x00 und \u202eDokumente\x1b",
        body="Ämter\x00 helfen\x07 weiter.\r\n" + FILLER,
    ).encode()
    reply = await upload(staff, "documents.de.md", content)
    assert reply == gettext(app, "en")("Imported: “{title}” ({language}).").format(
        title="Ämter und Dokumente", language="Deutsch"
    )
    row = await stored(app, locale="de")
    assert row.title == "Ämter und Dokumente"
    assert row.body.startswith("Ämter helfen weiter.\n")
    assert not any(ord(char) < 32 and char != "\n" for char in row.title + row.body)
    texts = await read(app, "Ämter und Dokumente", locale="de")
    assert texts[0].startswith("<b>Ämter und Dokumente</b>\n\nÄmter helfen weiter.")


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("title: " + "T" * 201, "x.md:3: the title has 201 characters; at most 200 are shown"),
        ("title: \x00\x00", "x.md:1: the header lacks title"),
        ("title: T\norder: 99999", "x.md:4: order must be at most 9999"),
        ("title: T\norder: ٣", "x.md:4: order '٣' is not a whole number"),
    ],
)
def test_a_bad_header_is_refused_with_its_line(header: str, problem: str) -> None:
    order = "" if "order" in header else "order: 1\n"
    text = f"---\ntopic: documents\n{header}\n{order}reviewed: 2026-11-24\n---\n" + FILLER
    with pytest.raises(ContentError) as raised:
        parse_article(text, source="x.md", locale="en")
    assert str(raised.value) == problem


def test_every_shipped_topic_in_every_language_is_sent_as_telegram_accepts() -> None:
    articles = load_directory()
    assert len({article.topic for article in articles}) == 7
    assert sorted((a.topic, a.locale) for a in articles) == sorted(
        (topic, locale) for topic in {a.topic for a in articles} for locale in LANGUAGE_CODES
    )
    for article in articles:
        messages = article_messages(article.title, markdown_to_html(article.body, strict=True))
        assert 1 <= len(messages) <= 4, article.source
        for message in messages:
            for part in split_html(message):
                check(part)
                parse_html(part)


def titles(database_url: str, topic: str) -> dict[str, str]:
    async def query() -> dict[str, str]:
        database = Database(database_url)
        try:
            async with database.transaction() as session:
                rows = await session.execute(
                    select(InfoArticle.locale, InfoArticle.title).where(InfoArticle.topic == topic)
                )
                return {locale: title for locale, title in rows.all()}
        finally:
            await database.dispose()

    return asyncio.run(query())


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_ADMINS", "telegram:1")
    return database_url


def test_the_shipped_content_imports_from_the_command_line(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "import"]) == 0
    assert capsys.readouterr().out == "Imported 42 texts: 7 topics in 6 languages.\n"
    assert len(titles(cli_database, "health")) == 6


def test_a_refused_file_leaves_the_database_as_it_was(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = titles(cli_database, "documents")
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    changed = content / "documents" / "de.md"  # read before the broken one
    changed.write_text(
        changed.read_text(encoding="utf-8").replace(before["de"], "Neu"), encoding="utf-8"
    )
    broken = content / "work" / "fa.md"
    text = broken.read_text(encoding="utf-8").rstrip("\n") + "\n\n**[a](https://x.de)\n"
    broken.write_text(text, encoding="utf-8")
    assert main(["content", "import", "--dir", str(content)]) == 2
    assert capsys.readouterr().err == (
        f"error: content: {broken}:{text.count(chr(10))}: "
        "a bold mark ** is not closed on this line\n"
    )
    assert titles(cli_database, "documents") == before
