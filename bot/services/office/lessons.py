"""The `QuestionLessons` port: what the office learns from its questions. The figures, and an
answered question turned into a keyword of a topic or a topic draft in one step."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Question, QuestionMessage
from bot.services.desk import Desk
from bot.services.office.figures import question_figures
from bot.services.outreach.topic_drafts import add_keyword, keyword_of, save_draft
from bot.services.people import audit
from conversations.office.ports import LessonRuleError, QuestionFigures, TopicDraft


class QuestionLessonsDesk(Desk):
    refusal = LessonRuleError

    async def figures(self) -> QuestionFigures:
        self._staff_only()
        return await question_figures(self.session)

    async def add_keyword(self, question_id: int, topic: str) -> str:
        self._staff_only()
        question, messages = await self._answered(question_id)
        asked = messages[0].text if messages and not messages[0].from_staff else None
        if not asked:  # a question sent as a voice message or a photo only has no words
            raise LessonRuleError("no_text")
        keyword = keyword_of(asked)
        if not keyword:  # only small words, digits or links
            raise LessonRuleError("no_text")
        article = await add_keyword(
            self.session, topic=topic, locale=question.locale, keyword=keyword, now=self.now
        )
        if article is None:
            raise LessonRuleError("not_found")
        self._audit("content.keyword", f"{topic}/{article.locale}", question)
        return keyword

    async def draft_topic(self, question_id: int, locale: str) -> TopicDraft:
        self._staff_only()
        question, messages = await self._answered(question_id)
        asked = messages[0].text if messages and not messages[0].from_staff else None
        answers = [m.text for m in messages if m.from_staff and m.text]
        topic = f"question-{(question.reference or str(question.id)).lower()}"
        saved = await save_draft(
            self.session,
            topic=topic,
            locale=locale,
            title=asked or question.reference or topic,
            body="\n\n".join(answers) or (asked or ""),
            keywords=keyword_of(asked) if asked else "",
            now=self.now,
            today=self.now.astimezone(self.tz).date(),
        )
        if saved is None:
            raise LessonRuleError("published")
        _, text = saved
        self._audit("content.draft", f"{topic}/{locale}", question)
        return TopicDraft(
            topic=topic, locale=locale, file_name=f"{topic}.{locale}.md", content=text.encode()
        )

    async def _answered(self, question_id: int) -> tuple[Question, list[QuestionMessage]]:
        question = await self.session.get(Question, question_id)
        if question is None:
            raise LessonRuleError("not_found")
        if question.first_answer_at is None:
            raise LessonRuleError("not_answered")
        messages = (
            await self.session.scalars(
                select(QuestionMessage)
                .where(QuestionMessage.question_id == question_id)
                .order_by(QuestionMessage.id)
            )
        ).all()
        return question, list(messages)

    def _audit(self, action: str, subject: str, question: Question) -> None:
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action=action,
            subject=subject,
            at=self.now,
            details={"question": question.reference},
        )
