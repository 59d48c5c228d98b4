"""The information library for newcomers: the topics in each language, with a fallback, and
search across languages. The topic files themselves are `topic_files.py`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select

from bot.db.models import InfoArticle
from bot.services.desk import Desk
from bot.services.outreach.contacts import CONTACTS_MARK, contact_lines
from bot.services.outreach.markdown import markdown_to_html
from bot.services.outreach.search import Document, topic_scores
from bot.services.outreach.topic_files import (
    FALLBACKS,
    ContentError,
    body_and_keywords,
    import_articles,
    parse_article,
)
from bot.services.people import audit
from conversations.outreach.ports import ArticleView, InfoRuleError, TopicView


class InfoLibrary(Desk):
    """The `Info` port for one turn."""

    refusal = InfoRuleError

    async def _best(self, topic: str, locale: str) -> InfoArticle | None:
        rows = {
            a.locale: a
            for a in (
                await self.session.scalars(
                    select(InfoArticle).where(InfoArticle.topic == topic, InfoArticle.published)
                )
            ).all()
        }
        for candidate in (locale, *FALLBACKS):
            if candidate in rows:
                return rows[candidate]
        return None

    async def topics(self, locale: str) -> Sequence[TopicView]:
        keys = (
            await self.session.scalars(
                select(InfoArticle.topic).where(InfoArticle.published).distinct()
            )
        ).all()
        topics = []
        for key in keys:
            article = await self._best(key, locale)
            if article is not None:
                topics.append((article.position, TopicView(key=key, title=article.title)))
        return [topic for _, topic in sorted(topics, key=lambda pair: (pair[0], pair[1].key))]

    async def article(self, topic: str, locale: str, *, contacts: bool = False) -> ArticleView:
        article = await self._best(topic, locale)
        if article is None:
            raise InfoRuleError("not_found")
        body = contact_lines(body_and_keywords(article.body)[0], shown=contacts)
        return ArticleView(
            topic=topic,
            locale=article.locale,
            title=article.title,
            html=markdown_to_html(body),
            reviewed_on=article.reviewed_on,
        )

    async def search(self, text: str, locale: str) -> Sequence[TopicView]:
        """The topics that fit a typed question, best first (see `search.topic_scores`)."""
        articles = (
            await self.session.scalars(select(InfoArticle).where(InfoArticle.published))
        ).all()
        documents = []
        for article in articles:
            body, keywords = body_and_keywords(article.body)
            body = body.replace(CONTACTS_MARK, "")
            documents.append(Document(article.topic, article.title, keywords, body))
        scores = topic_scores(text, documents)
        if not scores:
            return []
        views = {topic.key: topic for topic in await self.topics(locale)}
        order = list(views)
        ranked = sorted(
            (key for key in scores if key in views),
            key=lambda key: (-scores[key], order.index(key)),
        )
        return [views[key] for key in ranked][:5]

    async def import_file(self, name: str, content: bytes) -> ArticleView:
        """A topic file sent by staff: `<topic>.<locale>.md` or any name with a valid header."""
        self._staff_only()
        match = re.search(r"(?:^|[._-])(de|en|ar|fa|uk|ru)\.md$", name)
        if not match:
            raise ContentError(
                name, None, "name the file like topic.de.md (the language before the ending)"
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ContentError(name, None, "the file is not UTF-8 text") from None
        article = parse_article(text, source=name, locale=match.group(1))
        before = await self.session.scalar(
            select(InfoArticle).where(
                InfoArticle.topic == article.topic, InfoArticle.locale == article.locale
            )
        )
        # What changed, for the audit log: the title, whether the text did, and its review date.
        change = {
            "title": article.title,
            "previous_title": before.title if before else None,
            "text_changed": before is None or body_and_keywords(before.body)[0] != article.body,
            "keywords_changed": before is None
            or body_and_keywords(before.body)[1] != article.keywords,
            "reviewed": article.reviewed.isoformat(),
            "previous_reviewed": before.reviewed_on.isoformat() if before else None,
        }
        await import_articles(self.session, [article], now=self.now)
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="content.import",
            subject=f"{article.topic}/{article.locale}",
            at=self.now,
            details=change,
        )
        return await self.article(article.topic, article.locale)
