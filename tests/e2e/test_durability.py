"""`kill -9` in the middle of a burst, between fetch and commit and while turns run: after the
restart every message is handled exactly once, in order per person."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import InboxMessage, OutboxMessage
from bot.db.session import Database
from bot.delivery import PENDING, SENDING
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_process import bot_process

PEOPLE = range(2001, 2021)
# Rounds of the burst, one `/help` from each person per round: 10 messages each in all.
BEFORE_LOCK, UNDER_LOCK, AFTER_RESTART = 4, 3, 3
SEED = 20261126  # change it to see other kill moments
KILLS = 3
# Replies are sent at least once: a reply the killed process had sent but not yet marked as sent
# goes out again when its lease runs out. Per kill, at most the dispatcher's slots (16) and the
# inbox workers' sends right after their turns (4) are in flight.
REPEATS_PER_KILL = 20


def send_rounds(fake: FakeBotApi, sent: dict[int, list[int]], rounds: int) -> list[int]:
    """Every person sends `/help` once per round, interleaved; the new update ids."""
    new = []
    for _ in range(rounds):
        for person in PEOPLE:
            update_id = fake.send_text(person, "/help")
            sent[person].append(update_id)
            new.append(update_id)
    return new


def all_handed_out(fake: FakeBotApi) -> bool:
    """The fake has handed every update it holds to the bot (confirmed ones it holds no more)."""
    return all(id(update) in fake._delivered for update in fake._updates)


def answers(fake: FakeBotApi) -> int:
    """Messages the bot sent to the people of the burst."""
    return sum(len(fake.messages(person)) for person in PEOPLE)


async def started(fake: FakeBotApi, polls: int) -> None:
    """Wait until a new bot process polls: it has migrated and its inbox workers run."""
    await fake.wait_until(lambda: fake.polls > polls, timeout=60)


def _begin_immediate(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN IMMEDIATE")
    return connection


class WriteLock:
    """The write lock the inbox needs, held from outside the bot so that it can fetch updates
    but not store them: SQLite's single writer, or PostgreSQL's inbox table."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._sqlite: sqlite3.Connection | None = None
        self._database: Database | None = None
        self._connection: AsyncConnection | None = None

    async def take(self) -> None:
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            assert url.database
            # A turn may be committing: wait for it off the loop that serves the fake.
            self._sqlite = await asyncio.to_thread(_begin_immediate, url.database)
        else:
            self._database = Database(self.url)
            self._connection = await self._database.engine.connect()
            await self._connection.begin()
            await self._connection.execute(text("LOCK TABLE inbox IN EXCLUSIVE MODE"))

    async def release(self) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
            self._sqlite = None
        if self._connection is not None:
            await self._connection.rollback()
            await self._connection.close()
            self._connection = None
        if self._database is not None:
            await self._database.dispose()
            self._database = None


async def stored(url: str, update_ids: list[int]) -> list[str]:
    """The inbox keys of these updates that the database holds."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            keys = [f"telegram:{update_id}" for update_id in update_ids]
            return list(
                await session.scalars(
                    select(InboxMessage.update_key).where(InboxMessage.update_key.in_(keys))
                )
            )
    finally:
        await database.dispose()


async def settled(fake: FakeBotApi, url: str, log: Path, *, timeout: float) -> None:
    """Wait until the bot confirmed every update (so stored it) and nothing waits in its inbox
    or outbox, nor is in flight there."""
    database = Database(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            confirmed = fake.updates_pending() == 0
            async with database.transaction() as session:
                inbox = await _statuses(session, InboxMessage.status)
                outbox = await _statuses(session, OutboxMessage.status)
            if confirmed and "pending" not in inbox and not outbox.keys() & {PENDING, SENDING}:
                return
            assert time.monotonic() < deadline, (
                f"not settled: {fake.updates_pending()} updates unconfirmed, inbox {inbox}, "
                f"outbox {outbox}\n{log.read_text()[-3000:]}"
            )
            await asyncio.sleep(0.2)
    finally:
        await database.dispose()


async def _statuses(session: AsyncSession, status: InstrumentedAttribute[str]) -> dict[str, int]:
    rows = await session.execute(select(status, func.count()).group_by(status))
    return {value: number for value, number in rows}


async def read_back(url: str) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Inbox rows (key, status), and outbox rows (key, chat, status) by id."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            inbox = list(
                await session.execute(select(InboxMessage.update_key, InboxMessage.status))
            )
            outbox = list(
                await session.execute(
                    select(
                        OutboxMessage.dedup_key, OutboxMessage.address, OutboxMessage.status
                    ).order_by(OutboxMessage.id)
                )
            )
    finally:
        await database.dispose()
    return (
        [(key, status) for key, status in inbox],
        [(key, chat, status) for key, chat, status in outbox],
    )


async def test_kill_9_during_a_burst_loses_and_repeats_no_message(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    rng = random.Random(SEED)
    for person in PEOPLE:
        fake.add_user(person, first_name=f"P{person}")
    sent: dict[int, list[int]] = {person: [] for person in PEOPLE}

    # Kill 1: the bot has fetched a batch but cannot commit it to the inbox.
    lock = WriteLock(database_url)
    try:
        async with bot_process(fake, database_url, log) as pid:
            await started(fake, 0)
            send_rounds(fake, sent, BEFORE_LOCK)
            # All stored (the next getUpdates confirmed them), some answered: turns are running.
            await fake.wait_until(
                lambda: fake.updates_pending() == 0 and answers(fake) >= 20, timeout=30
            )
            await lock.take()
            fetched = send_rounds(fake, sent, UNDER_LOCK)
            await fake.wait_until(lambda: all_handed_out(fake), timeout=10)
            # Let it reach the blocked commit; well within SQLite's busy timeout of 15 s.
            await asyncio.sleep(0.5)
            os.kill(pid, signal.SIGKILL)
        # bot_process has reaped it: nothing the dead process began can commit any more.
    finally:
        await lock.release()
    # Handed out, but neither stored nor confirmed: Telegram delivers them again.
    assert fake.updates_pending() == len(fetched), "confirmed before they were stored"
    assert await stored(database_url, fetched) == []

    # Kills 2 and 3, in a row, at random moments while turns run; the rest of the burst comes.
    for late_rounds in (AFTER_RESTART, 0):
        polls = fake.polls
        async with bot_process(fake, database_url, log) as pid:
            await started(fake, polls)
            send_rounds(fake, sent, late_rounds)
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            os.kill(pid, signal.SIGKILL)

    keys = [f"telegram:{update_id}" for ids in sent.values() for update_id in ids]
    assert len(keys) == 200
    polls = fake.polls
    async with bot_process(fake, database_url, log):
        await started(fake, polls)
        # Replies the killed processes had claimed go out once their lease (30 s) runs out.
        await settled(fake, database_url, log, timeout=90)

    inbox, outbox = await read_back(database_url)
    assert sorted(inbox) == sorted((key, "done") for key in keys)  # each update once
    assert sorted(key for key, _, _ in outbox) == sorted(f"reply:{key}:0" for key in keys)
    assert {status for _, _, status in outbox} == {"sent"}
    for person, update_ids in sent.items():
        answered = [int(key.split(":")[2]) for key, chat, _ in outbox if chat == str(person)]
        assert answered == sorted(update_ids), person

    received = {person: fake.messages(person) for person in PEOPLE}
    help_text = received[PEOPLE[0]][0].plain_text
    assert all(len(messages) >= 10 for messages in received.values())
    assert {m.plain_text for messages in received.values() for m in messages} == {help_text}
    surplus = sum(len(messages) for messages in received.values()) - len(keys)
    assert surplus <= KILLS * REPEATS_PER_KILL, surplus
    assert fake.rejected == []
