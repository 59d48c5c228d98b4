"""Two `python -m bot run` processes in webhook mode behind one address on one PostgreSQL:
Telegram posts to a round-robin proxy in front of both. Every update is answered once and in
order per person, an announcement reaches everyone once, one process at a time runs the
scheduled jobs and another takes over when it dies, and a process that stops leaves the webhook
to the others."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import (
    Broadcast,
    ChannelIdentity,
    InboxMessage,
    Lease,
    Meeting,
    MeetingRegion,
    OutboxMessage,
    Region,
    Rsvp,
    User,
)
from bot.db.session import Database
from bot.delivery import PENDING, SENDING
from bot.inbox_rows import PENDING as WAITING
from conversations.people.privacy import PRIVACY_VERSION
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_process import bot_run
from tests.e2e.webhook_network import RoundRobinProxy, WebhookDelivery

PEOPLE = list(range(3001, 3007))  # volunteers in Hagenow, signed up, writing in English
ADMIN = 9000  # whom the announcements report to
HOOK = "/telegram-hook"
# Each person sends these at once; the answers must come in the same order.
COMMANDS = [
    ("/help", "Gemeinsam connects"),
    ("/privacy", "Privacy"),
    ("/settings", "Settings"),
    ("/menu", "What would you like to do?"),
]
MEETING = "Netzwerktreffen Hagenow"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def seed(database: Database, fake: FakeBotApi) -> None:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        region = await session.scalar(select(Region.id).where(Region.key == "hagenow"))
        for chat in PEOPLE:
            user = User(
                locale="en",
                role="volunteer",
                region_id=region,
                display_name="Ole",
                is_staff=False,
                consented_at=now,
                privacy_version=PRIVACY_VERSION,
                privacy_accepted_at=now,
                created_at=now - timedelta(days=1),
            )
            session.add(user)
            await session.flush()
            session.add(
                ChannelIdentity(
                    user_id=user.id, channel="telegram", external_id=str(chat), created_at=now
                )
            )
    for chat in [*PEOPLE, ADMIN]:
        fake.add_user(chat, first_name="Ole", language_code="en")


async def announce(database: Database, text: str) -> None:
    """An announcement to everyone as "Send" leaves it: its rows still to be written, by the
    scheduler's queue job, then sent by its dispatch."""
    async with database.transaction() as session:
        session.add(
            Broadcast(
                audience={},
                texts={"de": text, "en": text},
                fallback="de",
                status="queueing",
                total=len(PEOPLE),
                report_channel="telegram",
                report_address=str(ADMIN),
                created_at=datetime.now(UTC),
            )
        )


async def plan_meeting(database: Database, *, attendee: int) -> None:
    """A meeting in 90 minutes that `attendee` said yes to: its 2-hour reminder is due."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        region = await session.scalar(select(Region.id).where(Region.key == "hagenow"))
        user = await session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == str(attendee))
        )
        meeting = Meeting(
            title=MEETING,
            starts_at=now + timedelta(minutes=90),
            duration_minutes=60,
            place="Rathaus",
            status="published",
            created_at=now - timedelta(days=1),
            updated_at=now,
        )
        session.add(meeting)
        await session.flush()
        assert region is not None and user is not None
        session.add(MeetingRegion(meeting_id=meeting.id, region_id=region))
        session.add(Rsvp(meeting_id=meeting.id, user_id=user, answer="yes", updated_at=now))


async def lease_holder(database: Database) -> int | None:
    """The process id of the process that runs the scheduled jobs."""
    async with database.transaction() as session:
        holder = await session.scalar(select(Lease.holder).where(Lease.name == "scheduler"))
    return None if holder is None else int(holder.split(":")[1])


async def settled(database: Database) -> bool:
    """Nothing waits in the inbox or the outbox."""
    async with database.transaction() as session:
        waiting = await session.scalar(
            select(func.count()).select_from(InboxMessage).where(InboxMessage.status == WAITING)
        )
        unsent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status.in_((PENDING, SENDING)))
        )
    return not waiting and not unsent


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {check}"
        await asyncio.sleep(0.1)


def received(fake: FakeBotApi, chat: int, text: str) -> int:
    return sum(1 for message in fake.messages(chat) if text in message.plain_text)


async def chat_in_order(fake: FakeBotApi, people: list[int]) -> None:
    """Each person sends every command at once; each gets one answer to each, in order."""
    before = {chat: len(fake.messages(chat)) for chat in people}
    for chat in people:
        for command, _ in COMMANDS:
            fake.send_text(chat, command)
    for chat in people:
        await fake.wait_for_answer(chat, before[chat] + len(COMMANDS) - 1, timeout=60)
        answers = [message.plain_text for message in fake.messages(chat)[before[chat] :]]
        assert len(answers) == len(COMMANDS), answers
        for answer, (command, start) in zip(answers, COMMANDS, strict=True):
            assert answer.startswith(start), (chat, command, answers)


async def test_two_processes_share_one_address_and_one_database(
    database_url: str, fake: FakeBotApi, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL; SQLite serves one")
    database = Database(database_url)
    await seed(database, fake)
    ports = [free_port(), free_port()]
    log = tmp_path / "bot.log"

    def environment(port: int) -> dict[str, str]:
        return {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "DATABASE_URL": database_url,
            "BOT_ADMINS": f"telegram:{ADMIN}",
            "FLOOD_MESSAGES_PER_MINUTE": "6000",
            "FLOOD_BURST": "1000",
            "WEBHOOK_URL": f"https://bot.example.org{HOOK}",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "SCHEDULER_LEASE_SECONDS": "3",
        }

    def webhooks_set() -> int:
        return sum(1 for request in fake.requests if request.method == "setWebhook")

    async with AsyncExitStack() as stack:
        stack.push_async_callback(database.dispose)

        async def start(port: int) -> Process:
            before = webhooks_set()
            process = await stack.enter_async_context(bot_run(environment(port), log))
            await fake.wait_until(
                lambda: webhooks_set() > before or process.returncode is not None, timeout=60
            )
            assert process.returncode is None, log.read_text()[-3000:]
            return process

        proxy = await stack.enter_async_context(RoundRobinProxy(ports))
        await stack.enter_async_context(WebhookDelivery(fake, proxy.url(HOOK)))
        first = await start(ports[0])
        second = await start(ports[1])
        processes = {first.pid: first, second.pid: second}
        port_of = {first.pid: ports[0], second.pid: ports[1]}

        await chat_in_order(fake, PEOPLE)
        assert all(proxy.forwarded[port] for port in ports), proxy.forwarded
        await announce(database, "Announcement one")
        await fake.wait_until(
            lambda: all(received(fake, chat, "Announcement one") for chat in PEOPLE)
        )
        await eventually(lambda: settled(database))
        assert [received(fake, chat, "Announcement one") for chat in PEOPLE] == [1] * len(PEOPLE)

        # One process runs the scheduled jobs; the other stops, and the webhook stays.
        holding = await lease_holder(database)
        assert holding in processes
        [other] = [process for pid, process in processes.items() if pid != holding]
        other.send_signal(signal.SIGTERM)
        assert await other.wait() == 0, log.read_text()[-3000:]
        assert fake.webhook is not None
        await chat_in_order(fake, PEOPLE[:2])
        restarted = await start(port_of[other.pid])

        # The holder dies; the restarted process takes the jobs over once the lease ran out.
        await eventually(lambda: settled(database))
        processes[holding].kill()
        await processes[holding].wait()

        async def taken_over() -> bool:
            return await lease_holder(database) == restarted.pid

        await eventually(taken_over, timeout=30)
        await plan_meeting(database, attendee=PEOPLE[0])
        await announce(database, "Announcement two")
        await fake.wait_until(
            lambda: (
                all(received(fake, chat, "Announcement two") for chat in PEOPLE)
                and received(fake, PEOPLE[0], MEETING) > 0
            )
        )
        await chat_in_order(fake, PEOPLE)
        await eventually(lambda: settled(database))
        assert [received(fake, chat, "Announcement two") for chat in PEOPLE] == [1] * len(PEOPLE)
        assert [received(fake, chat, MEETING) for chat in PEOPLE] == [1] + [0] * (len(PEOPLE) - 1)
    assert not any(request.method == "deleteWebhook" for request in fake.requests)
    assert fake.rejected == [], log.read_text()[-3000:]
