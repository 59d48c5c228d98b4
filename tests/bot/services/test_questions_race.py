"""Two members of staff press "Take it" on the same question at the same moment, in two bot
processes: one takes it, the other is told who did; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App
from bot.channels.html import html_to_plain
from bot.db.models import AuditEntry, Question
from conversations.messages import Inbound, InboundKind
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.office.test_ask import NEWCOMER, ask, rolf


async def test_two_staff_taking_one_question_at_once_one_wins(app: App) -> None:
    petra = await staff_member(app)
    other = await rolf(app)
    newcomer = await person(app, "n-en", "en", role=NEWCOMER)
    reference = await ask(newcomer, "Can my wife join the German course in Lübz?")
    async with app.database.transaction() as session:
        question_id = await session.scalar(select(Question.id))
    second = App(app.settings, clock=app.clock)
    channel = app.dispatcher.channels["memory"]
    second.dispatcher.add_channel(channel)
    texts: list[str] = []
    try:
        for round_ in range(3):  # a few rounds, so that the two really meet at least once
            presses = [
                Inbound(
                    channel="memory",
                    external_id=address,
                    kind=InboundKind.CHOICE,
                    data=f"qtake:{question_id}",
                    update_key=f"memory:race:{round_}:{address}",
                    language_code="en",
                )
                for address in ("admin", "staff-rolf")
            ]
            channel.take("admin"), channel.take("staff-rolf")
            await asyncio.gather(app.turns.handle(presses[0]), second.turns.handle(presses[1]))
            texts += [
                html_to_plain(reply.text)
                for address in ("admin", "staff-rolf")
                for reply in channel.sent[address]
            ]
    finally:
        await second.close()

    took = [text for text in texts if text.startswith(f"You took question {reference}")]
    assert len(took) == 1, texts
    async with app.database.transaction() as session:
        question = await session.get_one(Question, question_id)
        assert question.status == "taken" and question.taken_by is not None
        takes = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "question.take")
        )
        assert takes == 1
    assert petra and other
