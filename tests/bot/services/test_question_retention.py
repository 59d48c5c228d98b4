"""Retention of questions to the office: a thread solved or closed goes, with its messages,
RETAIN_QUESTIONS_DAYS after it ended; one still open stays however old."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import AuditEntry, Question, QuestionMessage
from bot.scheduling.jobs import clean_up
from bot.settings import Settings
from conversations.people.ports import Retention
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.office.test_ask import NEWCOMER, ask, notice_of

RETENTION = Retention(questions_days=30)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    app = App(replace(settings, retention=RETENTION), clock=clock)
    app.dispatcher.add_channel(MemoryChannel())
    yield app
    await app.close()


async def test_a_solved_thread_goes_after_its_days_and_an_open_one_stays(
    app: App, clock: FakeClock
) -> None:
    petra = await staff_member(app)
    newcomer = await person(app, "n-en", "en", role=NEWCOMER)
    petra.channel.take(petra.address)
    solved = await ask(newcomer, "Where do I register my address?")
    petra.replies = [notice_of(petra.channel.take(petra.address), solved)]
    await petra.press("Answer")
    await petra.send("At the Bürgerbüro in the town hall.")
    newcomer.replies = newcomer.channel.take(newcomer.address)
    await newcomer.press("Solved, thank you")
    still_open = await ask(newcomer, "Is there a German course on Saturdays?")

    clock.advance(days=29)
    assert (await clean_up(app.database, clock, RETENTION)).questions == 0
    clock.advance(days=2)
    run = await clean_up(app.database, clock, RETENTION)
    assert run.questions == 1
    async with app.database.transaction() as session:
        kept = (await session.scalars(select(Question.reference))).all()
        assert kept == [still_open]
        messages = await session.scalar(select(func.count()).select_from(QuestionMessage))
        assert messages == 1  # the open question's own; the solved thread's went with it
        entry = await session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "retention.run")
            .order_by(AuditEntry.id.desc())
        )
        assert entry is not None and entry.details["questions"] == 1
        assert entry.details["questions_days"] == 30
