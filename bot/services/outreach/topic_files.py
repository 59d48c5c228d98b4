"""Topic files: one per topic and language in `content/`, their format and checks (a Telegram
message's HTML and size, local-contact marks), and their import into the database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.html import split_html
from bot.channels.telegram.sending import MESSAGE_LIMIT
from bot.channels.telegram_html import TelegramHtmlError, check
from bot.db.models import InfoArticle
from bot.services.outreach.contacts import ContactLineError, contact_lines
from bot.services.outreach.markdown import MarkdownError, markdown_to_html
from conversations.languages import LANGUAGE_CODES
from conversations.limits import TOPIC_TEXT, TOPIC_TITLE, one_line, typed
from conversations.outreach.info import article_messages
from conversations.outreach.ports import InfoRuleError

CONTENT_DIR = Path(__file__).resolve().parents[3] / "content"
HEADER_FIELDS = ("topic", "title", "order", "reviewed", "keywords")
REQUIRED_FIELDS = HEADER_FIELDS[:4]
# Between a topic's text and its keywords in the database's `body` column: a control character,
# which `typed` removes from every text, so no text can hold it. Keywords live there rather than
# in a column of their own so that they need no change of the schema.
KEYWORDS_MARK = "\x1f"
FALLBACKS = ("en", "de")


class ContentError(InfoRuleError):
    """A content file or folder that cannot be imported; says which one and, in a file, the
    line (None where no line is to blame, such as a missing file)."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        where = source if line is None else f"{source}:{line}"
        super().__init__("bad_file", f"{where}: {message}")
        self.source, self.line, self.message = source, line, message

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class ArticleFile:
    topic: str
    locale: str
    title: str
    order: int
    reviewed: date
    body: str
    source: str
    body_line: int = 1  # the file's line on which the body starts
    keywords: str = ""  # everyday words people search the topic by, comma-separated


def stored_body(body: str, keywords: str) -> str:
    """A topic's text and keywords as the `body` column keeps them."""
    return f"{body}{KEYWORDS_MARK}{keywords}" if keywords else body


def body_and_keywords(stored: str) -> tuple[str, str]:
    """The `body` column's text and keywords, apart ("" for keywords where there are none)."""
    body, _, keywords = stored.partition(KEYWORDS_MARK)
    return body, keywords


def parse_article(text: str, *, source: str, locale: str, topic: str | None = None) -> ArticleFile:
    """A topic file: a header between `---` lines (topic, title, order, reviewed and, if any,
    comma-separated keywords people may search it by), then Markdown.
    `topic`, when given, is the folder's name, which the header must repeat. The text is cleaned
    of control characters, and refused with its line unless newcomers will get every message of
    it: within TOPIC_TEXT, and Telegram HTML as Telegram parses it."""
    article = _parse(typed(text), source=source, locale=locale, topic=topic)
    _check_size(article)
    _check_rendering(article)
    return article


def _check_size(article: ArticleFile) -> None:
    if len(article.body) <= TOPIC_TEXT.high:
        return
    line = article.body_line + article.body.count("\n", 0, TOPIC_TEXT.high)
    raise ContentError(
        article.source,
        line,
        f"the text has {len(article.body):,} characters, more than the {TOPIC_TEXT.high:,} "
        "(a few screens) a topic may have, from this line on: split it into several topics",
    )


def _check_rendering(article: ArticleFile) -> None:
    """Renders the article as the flow sends it, with local contacts under it and without, and
    checks every line and message."""
    try:
        html = markdown_to_html(contact_lines(article.body, shown=True), strict=True)
    except (MarkdownError, ContactLineError) as error:
        raise ContentError(
            article.source, article.body_line + error.line - 1, error.message
        ) from None
    for offset, line in enumerate(html.split("\n")):
        try:
            check(line)
        except TelegramHtmlError as error:
            raise ContentError(
                article.source, article.body_line + offset, f"Telegram would refuse it: {error}"
            ) from None
    without = markdown_to_html(contact_lines(article.body, shown=False))
    messages = [*article_messages(article.title, html), *article_messages(article.title, without)]
    for message in messages:
        for part in split_html(message, MESSAGE_LIMIT):
            try:
                check(part)
            except TelegramHtmlError as error:
                raise ContentError(
                    article.source, article.body_line, f"Telegram would refuse it: {error}"
                ) from None


def _parse(text: str, *, source: str, locale: str, topic: str | None) -> ArticleFile:
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(source, 1, "the file must start with a header line '---'")
    header: dict[str, str] = {}
    line_of: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            rest = lines[number:]
            blank = next((i for i, rest_line in enumerate(rest) if rest_line.strip()), len(rest))
            body, body_line = "\n".join(rest).strip(), number + 1 + blank
            break
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in HEADER_FIELDS:
            raise ContentError(
                source,
                number,
                f"expected one of {', '.join(HEADER_FIELDS)}: value, got {line.strip()!r}",
            )
        header[key.strip()] = one_line(value)
        line_of[key.strip()] = number
    else:
        raise ContentError(source, len(lines), "the header is not closed with '---'")
    missing = [field for field in REQUIRED_FIELDS if not header.get(field)]
    if missing:
        raise ContentError(source, 1, f"the header lacks {', '.join(missing)}")
    if not re.fullmatch(r"[a-z0-9-]{2,60}", header["topic"]):
        raise ContentError(
            source,
            line_of["topic"],
            f"topic {header['topic']!r} must be lower-case words joined by '-'",
        )
    if topic is not None and header["topic"] != topic:
        raise ContentError(
            source,
            line_of["topic"],
            f"topic {header['topic']!r} does not match the folder {topic!r}",
        )
    if not re.fullmatch(r"[0-9]+", header["order"]):
        raise ContentError(
            source, line_of["order"], f"order {header['order']!r} is not a whole number"
        )
    if len(header["order"]) > 4:
        raise ContentError(source, line_of["order"], "order must be at most 9999")
    if len(header["title"]) > TOPIC_TITLE.high:
        raise ContentError(
            source,
            line_of["title"],
            f"the title has {len(header['title']):,} characters; at most {TOPIC_TITLE.high} "
            "are shown",
        )
    try:
        reviewed = date.fromisoformat(header["reviewed"])
    except ValueError:
        raise ContentError(
            source,
            line_of["reviewed"],
            f"reviewed {header['reviewed']!r} is not a date like 2026-11-24",
        ) from None
    if len(body) < TOPIC_TEXT.low:
        raise ContentError(source, len(lines), "the text is missing or too short")
    return ArticleFile(
        topic=header["topic"],
        locale=locale,
        title=header["title"],
        order=int(header["order"]),
        reviewed=reviewed,
        body=body,
        source=source,
        body_line=body_line,
        keywords=", ".join(
            filter(None, (k.strip() for k in header.get("keywords", "").split(",")))
        ),
    )


def _visible(path: Path) -> bool:
    """Not hidden: editors, version control and file managers keep their own files here."""
    return not path.name.startswith(".")


def load_directory(directory: Path = CONTENT_DIR) -> list[ArticleFile]:
    """Every topic in every language, or a ContentError naming what is wrong or missing.

    A topic is a visible folder with Markdown files; anything else (hidden files and folders,
    notes, pictures) is left alone."""
    if not directory.is_dir():
        raise ContentError(str(directory), None, "there is no such folder")
    articles = []
    for folder in sorted(directory.iterdir()):
        if not (folder.is_dir() and _visible(folder)):
            continue
        texts = {
            path.stem: path
            for path in folder.iterdir()
            if path.suffix == ".md" and path.is_file() and _visible(path)
        }
        if not texts:
            continue
        absent = [locale for locale in LANGUAGE_CODES if locale not in texts]
        if absent:
            raise ContentError(
                str(folder),
                None,
                f"topic {folder.name!r} has no text in {', '.join(absent)} "
                f"(expected {', '.join(f'{locale}.md' for locale in absent)})",
            )
        for locale in LANGUAGE_CODES:
            path = texts[locale]
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise ContentError(str(path), None, "the file is not UTF-8 text") from None
            articles.append(parse_article(text, source=str(path), locale=locale, topic=folder.name))
    return articles


async def import_articles(
    session: AsyncSession, articles: Iterable[ArticleFile], *, now: datetime
) -> int:
    count = 0
    for article in articles:
        row = await session.scalar(
            select(InfoArticle).where(
                InfoArticle.topic == article.topic, InfoArticle.locale == article.locale
            )
        )
        if row is None:
            row = InfoArticle(topic=article.topic, locale=article.locale)
            session.add(row)
        row.title, row.position = article.title, article.order
        row.body = stored_body(article.body, article.keywords)
        row.reviewed_on, row.updated_at = article.reviewed, now
        row.published = True  # a draft made from a question is published by its import
        count += 1
    await session.flush()
    return count


async def import_missing_articles(
    session: AsyncSession, *, now: datetime, directory: Path = CONTENT_DIR
) -> int:
    """The shipped topics that are not in the database yet."""
    present = set((await session.execute(select(InfoArticle.topic, InfoArticle.locale))).all())
    missing = [a for a in load_directory(directory) if (a.topic, a.locale) not in present]
    return await import_articles(session, missing, now=now)
