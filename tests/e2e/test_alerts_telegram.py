"""Alerts through the real Telegram channel: the administrator hears once when replies are late,
a message could not be delivered, or a scheduled job keeps failing (however often the check runs,
and across a restart), and once when it is over."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import app as app_module
from bot.db.models import OutboxMessage
from bot.delivery import FAILED, PENDING, SENDING
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard

ADMIN = 9000  # named in BOT_ADMINS by the fixture


async def told(bot: RunningBot, fake: FakeBotApi) -> list[str]:
    """Run the alert check as the scheduler does; what the administrator was told by it."""
    assert bot.app is not None
    bot.app.scheduler.pause_job("alerts")  # checked here only, not also once a minute
    before = len(fake.messages(ADMIN))
    await bot.app.alerts.check()
    # Sent by the check, or by the dispatcher's round when it claimed them first: either way,
    # recorded once the fake has them.
    await recorded(bot, address=str(ADMIN))
    await fake.wait_until(lambda: not fake.unanswered_callbacks())
    return [message.plain_text for message in fake.messages(ADMIN)[before:]]


async def recorded(
    bot: RunningBot, *, status: str | None = None, address: str | None = None
) -> None:
    """Until the dispatcher has recorded what the fake answered (the answer comes first, the
    record a moment later): a message with this status, or, without one, no message waiting
    (to `address`, when given)."""
    assert bot.app is not None
    for _ in range(100):
        async with bot.app.database.transaction() as session:
            if status is None:
                waiting = select(func.count()).where(OutboxMessage.status.in_((PENDING, SENDING)))
                if address is not None:
                    waiting = waiting.where(OutboxMessage.address == address)
                if not await session.scalar(waiting):
                    return
            elif await session.scalar(select(func.count()).where(OutboxMessage.status == status)):
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the dispatcher never recorded {status or 'every message as done'}")


def later(bot: RunningBot, **moved: float) -> None:
    bot.clock.jump_to(bot.clock.now() + timedelta(**moved))


@pytest.fixture
async def admin(bot: RunningBot, fake: FakeBotApi) -> None:
    fake.add_user(ADMIN, first_name="Petra", language_code="en")
    await onboard(fake, ADMIN, "English", "I work for the district office")
    assert await told(bot, fake) == []  # all is well


async def test_late_replies_are_told_once_and_once_when_they_go_again(
    bot: RunningBot, fake: FakeBotApi, admin: None
) -> None:
    # Telegram holds Alia's chat for ten minutes: her answer waits in the outbox.
    fake.fail_next("sendMessage", status=429, retry_after=600, chat_id=ALICE)
    fake.send_text(ALICE, "/start")
    await fake.wait_until(lambda: any(r.status == 429 for r in fake.requests))
    later(bot, minutes=1)
    assert await told(bot, fake) == []  # within ALERT_REPLY_WAIT_SECONDS (120)

    later(bot, minutes=2)
    assert await told(bot, fake) == [
        "⚠️ Replies are late: someone has been waiting for an answer for more than 120 seconds."
    ]
    assert await told(bot, fake) == []  # not again while it lasts
    later(bot, minutes=1)
    assert await told(bot, fake) == []

    later(bot, minutes=10)  # the hold is over: the dispatcher sends her answer
    await fake.wait_until(lambda: len(fake.messages(ALICE)) == 1)
    await recorded(bot)
    assert await told(bot, fake) == ["✅ Replies are on time again."]
    assert await told(bot, fake) == []


async def test_a_message_that_could_not_be_delivered_is_told_once_across_a_restart(
    bot: RunningBot, fake: FakeBotApi, admin: None
) -> None:
    fake.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities", chat_id=ALICE
    )
    fake.send_text(ALICE, "/start")
    await fake.wait_until(lambda: any(r.status == 400 for r in fake.requests))
    await recorded(bot, status=FAILED)
    assert await told(bot, fake) == [
        "⚠️ 1 message could not be delivered in the last hour. The log says why."
    ]
    assert await told(bot, fake) == []

    await bot.stop()
    await bot.start()
    assert await told(bot, fake) == []  # still open: the restart does not tell it again

    later(bot, minutes=61)
    assert await told(bot, fake) == ["✅ No message has failed to be delivered for an hour."]
    await bot.stop()
    await bot.start()
    assert await told(bot, fake) == []


async def test_a_job_that_keeps_failing_is_told_once_and_when_it_runs_again(
    bot: RunningBot, fake: FakeBotApi, admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bot.app is not None
    jobs = bot.app.jobs

    async def broken(**_: object) -> list[int]:
        raise RuntimeError("a bug in the reminders")

    monkeypatch.setattr(app_module, "remind_questions", broken)
    await fake.wait_until(lambda: jobs.failures.get("reminders", 0) >= 1, timeout=30)
    assert await told(bot, fake) == []  # once is not "keeps failing"
    await fake.wait_until(lambda: jobs.failures["reminders"] >= 3, timeout=30)
    [alert] = await told(bot, fake)
    assert alert.startswith("⚠️ The scheduled task reminders has failed ")
    assert alert.endswith(" times in a row. The log says why.")
    await fake.wait_until(lambda: jobs.failures["reminders"] >= 4, timeout=30)
    assert await told(bot, fake) == []

    monkeypatch.undo()
    await fake.wait_until(lambda: jobs.failures["reminders"] == 0, timeout=30)
    assert await told(bot, fake) == ["✅ The scheduled task reminders runs again."]
    assert await told(bot, fake) == []
