"""What the library learns from questions the office answered: the question's words as a
keyword of a topic, so that /info finds the topic next time, or a new topic kept as a draft
(unpublished) until staff import its finished file."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import InfoArticle
from bot.services.outreach.search import query_words
from bot.services.outreach.topic_files import FALLBACKS, body_and_keywords, stored_body
from conversations.limits import TOPIC_TITLE, one_line

KEYWORD_LENGTH = 200  # characters of a question kept as one keyword
LAST_POSITION = 9999  # the highest `order` a topic file may have


def keyword_of(text: str) -> str:
    """What a question is about, as one keyword: its search words without the small words of
    any language, and without links, e-mail addresses and anything with digits (a phone number,
    a date of birth), so that little of the person goes into the library; cut at a word within
    KEYWORD_LENGTH."""
    keyword = ""
    for word in query_words(text):
        if any(ch.isdigit() for ch in word):
            continue
        if len(keyword) + len(word) + 1 > KEYWORD_LENGTH:
            break
        keyword = f"{keyword} {word}".strip()
    return keyword


async def add_keyword(
    session: AsyncSession, *, topic: str, locale: str, keyword: str, now: datetime
) -> InfoArticle | None:
    """The keyword added to the published topic in `locale`, else in the language newcomers of
    `locale` are shown instead; None when there is no such topic."""
    rows = {
        row.locale: row
        for row in (
            await session.scalars(
                select(InfoArticle).where(InfoArticle.topic == topic, InfoArticle.published)
            )
        ).all()
    }
    article = next((rows[c] for c in (locale, *FALLBACKS) if c in rows), None)
    if article is None:
        return None
    body, keywords = body_and_keywords(article.body)
    present = [k.strip() for k in keywords.split(",") if k.strip()]
    if keyword.casefold() not in {k.casefold() for k in present}:
        article.body = stored_body(body, ", ".join([*present, keyword]))
        article.updated_at = now
    return article


async def save_draft(
    session: AsyncSession,
    *,
    topic: str,
    locale: str,
    title: str,
    body: str,
    keywords: str,
    now: datetime,
    today: date,
) -> tuple[InfoArticle, str] | None:
    """A new topic kept unpublished (newcomers do not see it), and the topic file for staff to
    finish and send back; None when the topic is published already."""
    article = await session.scalar(
        select(InfoArticle).where(InfoArticle.topic == topic, InfoArticle.locale == locale)
    )
    if article is not None and article.published:
        return None
    if article is None:
        last = await session.scalar(select(func.max(InfoArticle.position))) or 0
        article = InfoArticle(
            topic=topic, locale=locale, position=min(last + 1, LAST_POSITION), published=False
        )
        session.add(article)
    article.title = one_line(title)[: TOPIC_TITLE.high].strip()
    article.body = stored_body(body, keywords)
    article.reviewed_on = today
    article.updated_at = now
    await session.flush()
    header = "\n".join(
        [
            "---",
            f"topic: {topic}",
            f"title: {article.title}",
            f"order: {article.position}",
            f"reviewed: {article.reviewed_on.isoformat()}",
            f"keywords: {keywords}",
            "---",
        ]
    )
    return article, f"{header}\n\n{body}\n"
