"""The inbox: every message received is a row before its channel confirms it to the source, and
turns take their work from it, in order per person and fairly across people.

A worker claims the next row in the transaction of the turn that handles it (`FOR UPDATE SKIP
LOCKED` on PostgreSQL; SQLite has one writer at a time) and marks it done there, so a crash rolls
the claim back with the turn and several processes on one PostgreSQL share the inbox. A person's
later rows wait while an earlier one is unfinished. Among people, rows are taken by how many of
that person's messages were already waiting when the row came, then by arrival: one person's
backlog never keeps the others waiting.

A turn that fails is tried again a few times, then marked failed with an apology, so that the
person's next message is not held behind it. While the database itself does not answer nothing
is counted: the row waits until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.channels.base import FLOOD, GROUP, InboxEntry
from bot.db.health import describe, is_outage
from bot.db.models import InboxMessage
from bot.db.session import Database
from bot.delivery import Dispatcher, Handover
from bot.flood import FloodGuard, Verdict
from bot.inbox_rows import (
    ANY_WAITING,
    CLAIM,
    DONE,
    FAILED,
    MARK_DONE,
    NEXT_DUE,
    PENDING,
    STORE,
    STORE_ONE,
    WAITING,
    WAITING_ONE,
    ClaimedRow,
    paced,
    retry_pause,
)
from bot.logs import PERSON, TURN, about
from bot.monitoring import metrics
from bot.turn import StaleConversation, Turns
from conversations.messages import Inbound, InboundKind
from conversations.ports import Clock

log = logging.getLogger(__name__)

MAX_TURN_ATTEMPTS = 3  # a turn that fails for a reason of its own: then the apology
MAX_TRANSIENT_ATTEMPTS = 20  # races and database errors while the database answers again
IDLE_WAIT_SECONDS = 2.0  # rows of other processes and retries that fall due are seen this soon
# by the first worker; the others, woken by each arrival, look only this often when nothing is
# due (four workers looking every 2 s were two thirds of the bot's CPU while nobody wrote).
OTHERS_IDLE_WAIT_SECONDS = 30.0
STOP_WAIT_SECONDS = 30.0
# At most this long a channel waits for the reply to a lone message before fetching more.
REPLIED_WAIT_SECONDS = 0.1


class Inbox:
    def __init__(
        self,
        *,
        database: Database,
        turns: Turns,
        dispatcher: Dispatcher,
        clock: Clock,
        flood: FloodGuard | None = None,
        workers: int = 4,
    ) -> None:
        self.database = database
        self.turns = turns
        self.dispatcher = dispatcher
        self.clock = clock
        self.flood = flood
        self.workers = workers
        self._arrived = asyncio.Condition()
        self._generation = 0  # counts arrivals, so that a worker never sleeps through one
        self._next_due: datetime | None = None
        # The update key of a lone message just stored, and its reply's going out.
        self._lone: tuple[str, asyncio.Future[None]] | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._delivering: set[asyncio.Task[None]] = set()  # replies of turns taken at once

    # --- receiving ---------------------------------------------------------------------

    def admit(self, entries: Sequence[InboxEntry]) -> list[InboxEntry]:
        """The entries within each person's limit; the first one beyond it becomes the note."""
        if self.flood is None:
            return list(entries)
        admitted = []
        for entry in entries:
            inbound = entry.inbound
            verdict = self.flood.check(inbound.channel, inbound.external_id)
            if verdict is Verdict.ACCEPT:
                admitted.append(entry)
            elif verdict is Verdict.NOTE:
                moment = int(self.clock.now().timestamp() * 1000)
                note = Inbound(
                    channel=inbound.channel,
                    external_id=inbound.external_id,
                    kind=InboundKind.OTHER,
                    update_key=f"flood:{inbound.channel}:{inbound.external_id}:{moment}",
                    language_code=inbound.language_code,
                )
                admitted.append(InboxEntry(note, FLOOD))
                log.info("inbox: a chat writes faster than allowed; quiet for a while")
        return admitted

    async def store(self, entries: Sequence[InboxEntry]) -> frozenset[str]:
        """Commit the entries in one short transaction (each one once, however often its
        update comes). Raises when the database cannot take them, so nothing is confirmed.
        Returns the update keys it already held: updates delivered again, which the channel
        acknowledged when they first came."""
        if not entries:
            return frozenset()
        failed: Failure | None = None
        if len(entries) == 1 and self._tasks and self.database.writers is not None:
            answered = await self._answer_at_once(entries[0])
            if isinstance(answered, frozenset):
                return answered
            failed = answered
        due: list[str] = []
        known: set[str] = set()
        try:
            due, known = await self._insert(entries, failed=failed)
        except Exception as error:
            if is_outage(error) or len(entries) == 1:
                raise
            # One entry the database refuses must not keep the others out: one at a time.
            log.warning("inbox: storing %s entries failed (%s)", len(entries), describe(error))
            for entry in entries:
                try:
                    known |= (await self._insert([entry]))[1]
                except Exception as single:
                    if is_outage(single):
                        raise
                    log.error("inbox: an update could not be stored: %s", describe(single))
        self.database.health.ok()
        if len(entries) == 1 and due:
            self._lone = (due[0], asyncio.get_running_loop().create_future())
        async with self._arrived:
            self._generation += 1
            self._arrived.notify(len(entries))
        return frozenset(known)

    async def _answer_at_once(self, entry: InboxEntry) -> frozenset[str] | Failure | None:
        """On SQLite (one process, one writer at a time): a message whose chat has nothing
        waiting, while nobody else's row is due, is stored and answered in one transaction, one
        fewer for every reply. Its reply goes out in the background (`replied` waits for it).
        Returns the update keys already held; None when the message is not for this path, and
        the failure when its turn failed: then it is stored as its first attempt, for a worker
        to try again."""
        with about(TURN, None), about(PERSON, None):  # the log's lines of this turn
            return await self._store_and_turn(entry)

    async def _store_and_turn(self, entry: InboxEntry) -> frozenset[str] | Failure | None:
        inbound = entry.inbound
        key = inbound.update_key or f"{inbound.channel}:{uuid.uuid4()}"
        started = time.perf_counter()
        try:
            async with self.database.transaction() as session:
                now = self.clock.now()
                waiting = await session.scalar(
                    ANY_WAITING,
                    {"channel": inbound.channel, "chat": inbound.external_id, "now": now},
                )
                if waiting:
                    return None
                # Stored as done: the turn commits with it, or neither is kept.
                row_id = await session.scalar(
                    STORE_ONE, _row(entry, key, position=0, now=now, done=True)
                )
                if row_id is None:  # delivered again
                    return frozenset({key})
                claimed = ClaimedRow(
                    row_id,
                    inbound.channel,
                    inbound.external_id,
                    entry.route,
                    key,
                    attempts=0,
                    payload=None,
                    waiting=1,
                )
                TURN.set(claimed.id)
                replies = await self._turn(session, claimed, entry, now, stored_done=True)
        except Exception as error:
            if is_outage(error):
                raise
            failure = Failure.of(error, attempts=1)
            failure.log("inbox", f"attempt 1 of {failure.limit}")
            metrics.TURNS.labels("retried").inc()
            return failure
        self.database.health.ok()
        metrics.TURN_SECONDS.observe(time.perf_counter() - started)
        metrics.TURNS.labels("handled").inc()
        self._lone = (key, asyncio.get_running_loop().create_future())
        # In this turn's context: the log's lines of its sending name it.
        task = asyncio.create_task(self._deliver(replies, key))
        self._delivering.add(task)
        task.add_done_callback(self._delivering.discard)
        return frozenset()

    async def _deliver(self, replies: Handover, update_key: str) -> None:
        try:
            await self.dispatcher.deliver(replies)
        finally:
            self._answered(update_key)

    async def replied(self) -> None:
        """After `store`: when it stored one message, which a worker answers at once, wait (at
        most REPLIED_WAIT_SECONDS) until the reply has gone out. A channel that fetches its
        messages calls it before fetching more: on the one event loop, the next fetch's request
        would otherwise go out first and hold the reply up by as long as it takes to make."""
        lone = self._lone
        if lone is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(REPLIED_WAIT_SECONDS):
                await lone[1]
        if self._lone is lone:
            self._lone = None

    def _answered(self, update_key: str) -> None:
        """The reply to this row has gone out (or failed to): `replied` need wait no more."""
        lone = self._lone
        if lone is not None and lone[0] == update_key:
            self._lone = None
            if not lone[1].done():
                lone[1].set_result(None)

    def pause_after(self, error: BaseException) -> float:
        if not is_outage(error):
            log.error("inbox: storing failed", exc_info=error)
        return self.database.health.failed(error)

    async def _insert(
        self, entries: Sequence[InboxEntry], *, failed: Failure | None = None
    ) -> tuple[list[str], set[str]]:
        """The update keys of the rows it added that are due at once, and the keys it already
        held. `failed`: the one entry's turn failed once, as it was stored."""
        async with self.database.transaction() as session:
            now = self.clock.now()
            chats = list({(e.inbound.channel, e.inbound.external_id) for e in entries})
            if len(chats) == 1:
                [(only_channel, only_chat)] = chats
                counted = await session.execute(
                    WAITING_ONE, {"channel": only_channel, "chat": only_chat}
                )
            else:
                counted = await session.execute(WAITING, {"chats": chats})
            waiting: dict[tuple[str, str], int] = {
                (channel, chat): count for channel, chat, count in counted
            }
            rows, keys, due = [], [], []
            for entry in entries:
                inbound = entry.inbound
                chat = (inbound.channel, inbound.external_id)
                position = waiting.get(chat, 0)
                waiting[chat] = position + 1
                key = inbound.update_key or f"{inbound.channel}:{uuid.uuid4()}"
                keys.append(key)
                row = _row(entry, key, position=position, now=now)
                if failed is not None:
                    row.update(
                        attempts=1,
                        last_error=describe(failed.error),
                        next_attempt_at=now + failed.pause,
                    )
                if row["next_attempt_at"] == now:
                    due.append(key)
                rows.append(row)
            added = set(
                (await session.execute(STORE[session.get_bind().dialect.name], rows)).scalars()
            )
        return [key for key in due if key in added], set(keys) - added

    # --- working -----------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._tasks = [
            asyncio.create_task(
                self._work(IDLE_WAIT_SECONDS if number == 0 else OTHERS_IDLE_WAIT_SECONDS),
                name=f"inbox-worker-{number}",
            )
            for number in range(self.workers)
        ]

    async def stop(self) -> None:
        """Let every worker finish the turn it is in (its row is done or stays waiting)."""
        self._stop.set()
        async with self._arrived:
            self._arrived.notify_all()
        if self._tasks or self._delivering:
            tasks = [*self._tasks, *self._delivering]
            _, late = await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
            for task in late:
                task.cancel()
            self._tasks = []

    async def _work(self, idle_wait: float) -> None:
        while not self._stop.is_set():
            generation = self._generation
            try:
                others = await self._work_next()
                if others:
                    continue
                if others == 0:  # it was the only row: no claim that finds none
                    self._next_due = None
            except Exception as error:
                if is_outage(error):
                    pause = self.database.health.failed(error)
                else:
                    log.exception("inbox worker: unexpected error")
                    pause = 1.0
                await self._idle(pause)
                continue
            if generation == self._generation:
                await self._idle(self._until_next_due(idle_wait))

    def _until_next_due(self, idle_wait: float) -> float:
        """Seconds until a row that waits for its moment is due (paced or retried), at most the
        idle wait (for rows that other processes stored)."""
        if self._next_due is None:
            return idle_wait
        seconds = (self._next_due - self.clock.now()).total_seconds()
        return min(max(seconds, 0.005), IDLE_WAIT_SECONDS)

    async def _idle(self, seconds: float) -> None:
        async with self._arrived:
            if self._stop.is_set():
                return
            # Not wait_for: its extra task would let the poll's next getUpdates go first.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._arrived.wait()

    async def work_once(self) -> bool:
        """Handle the next waiting row, if there is one; False when there is none."""
        return await self._work_next() is not None

    async def _work_next(self) -> int | None:
        """Handle the next waiting row; how many others waited when it was claimed (1 after a
        failure, to look again), None when there was none."""
        with about(TURN, None), about(PERSON, None):  # the log's lines of this turn
            return await self._work_claimed()

    async def _work_claimed(self) -> int | None:
        claimed: ClaimedRow | None = None
        started = time.perf_counter()
        try:
            async with self.database.transaction(long=True) as session:
                now = self.clock.now()  # once this worker has the database, not before
                claimed = await self._claim(session, now)
                if claimed is None:
                    return None
                TURN.set(claimed.id)
                entry = InboxEntry.from_payload(claimed.route, claimed.payload or {})
                replies = await self._turn(session, claimed, entry, now)
        except Exception as error:
            if claimed is None:
                raise
            ids = await self._failed(claimed, error)
            self.database.health.ok()
            await self.dispatcher.send_now(ids)
            self._answered(claimed.update_key)
            return 1
        self.database.health.ok()
        metrics.TURN_SECONDS.observe(time.perf_counter() - started)
        metrics.TURNS.labels("handled").inc()
        await self.dispatcher.deliver(replies)
        self._answered(claimed.update_key)
        return claimed.waiting - 1

    async def _turn(
        self,
        session: Any,
        claimed: ClaimedRow,
        entry: InboxEntry,
        now: datetime,
        *,
        stored_done: bool = False,
    ) -> Handover:
        """The row's turn, in its transaction: the row done (unless `stored_done`: inserted as
        done in this transaction), its replies claimed."""
        if claimed.route == GROUP:
            ids = await self.turns.answer_group(
                session,
                entry.inbound,
                bot_username=entry.bot_username or "",
                bot_link=entry.bot_link,
                now=now,
            )
        elif claimed.route == FLOOD:
            ids = await self.turns.flood_note(session, entry.inbound, now=now)
        else:
            ids = await self.turns.turn(session, entry.inbound, now=now, stored=True)
        if not stored_done:
            await session.execute(
                MARK_DONE,
                {"row_id": claimed.id, "done_at": now, "row_attempts": claimed.attempts + 1},
            )
        return await self.dispatcher.claim_now(session, ids)

    async def _claim(self, session: Any, now: datetime) -> ClaimedRow | None:
        row = (await session.execute(CLAIM, {"now": now})).first()
        if row is None:
            self._next_due = await session.scalar(NEXT_DUE, {"now": now})
            return None
        return ClaimedRow(*row)

    async def _failed(self, claimed: ClaimedRow, error: BaseException) -> list[int]:
        """Count the failed attempt, or give up with an apology; raises when the database is
        away, and then nothing is counted."""
        attempts = claimed.attempts + 1
        failure = Failure.of(error, attempts=attempts)
        give_up = attempts >= failure.limit
        now = self.clock.now()
        values: dict[str, Any] = {"attempts": attempts, "last_error": describe(error)}
        if give_up:
            values.update(status=FAILED, done_at=now)
        else:
            values["next_attempt_at"] = now + failure.pause
        async with self.database.transaction() as session:
            # Between the turn's rollback and this update another worker may have claimed the row
            # and failed as well: only the first to count this attempt counts it and says so.
            counted = await session.execute(
                update(InboxMessage)
                .where(
                    InboxMessage.id == claimed.id,
                    InboxMessage.status == PENDING,
                    InboxMessage.attempts == claimed.attempts,
                )
                .values(**values)
            )
            if not counted.rowcount:  # type: ignore[attr-defined]
                return []
            ids: list[int] = []
            if give_up and claimed.route not in (GROUP, FLOOD):
                inbound = Inbound(
                    channel=claimed.channel,
                    external_id=claimed.chat,
                    kind=InboundKind.OTHER,
                    update_key=claimed.update_key,
                    language_code=_language_code(claimed.payload),
                )
                ids = await self.turns.apology(session, inbound, now=now)
        metrics.TURNS.labels("failed" if give_up else "retried").inc()
        outcome = "given up, apologised" if give_up else f"attempt {attempts} of {failure.limit}"
        failure.log(f"inbox row {claimed.id}", outcome)
        return ids


@dataclass(frozen=True)
class Failure:
    """A turn that failed: whether for a passing reason (the database away, the conversation
    changed meanwhile, a row written twice), how many attempts that allows, and the pause before
    the next one."""

    error: BaseException
    transient: bool
    limit: int
    pause: timedelta

    @classmethod
    def of(cls, error: BaseException, *, attempts: int) -> Failure:
        """The `attempts`-th failure of a turn."""
        transient = is_outage(error) or isinstance(error, StaleConversation | IntegrityError)
        return cls(
            error,
            transient,
            MAX_TRANSIENT_ATTEMPTS if transient else MAX_TURN_ATTEMPTS,
            # A conversation changed meanwhile: again at once, on what it is now.
            timedelta() if isinstance(error, StaleConversation) else retry_pause(attempts),
        )

    def log(self, where: str, outcome: str) -> None:
        """A passing reason in a line; any other with its traceback."""
        if self.transient:
            log.warning("%s: %s (%s)", where, describe(self.error), outcome)
        else:
            log.error("%s: the turn failed (%s)", where, outcome, exc_info=self.error)


def _row(
    entry: InboxEntry, key: str, *, position: int, now: datetime, done: bool = False
) -> dict[str, Any]:
    """An entry's row, waiting: at once, or at its pace behind the chat's `position` others.
    `done`: as `MARK_DONE` leaves it after a first attempt, for a message answered in the
    transaction that stores it (one statement fewer for every reply)."""
    inbound = entry.inbound
    row = {
        "update_key": key,
        "channel": inbound.channel,
        "chat": inbound.external_id,
        "route": entry.route,
        "payload": None if done else entry.to_payload(),
        "position": position,
        "status": DONE if done else PENDING,
        "attempts": 1 if done else 0,
        "next_attempt_at": now + paced(position),
        "received_at": now,
    }
    if done:
        row["done_at"] = now
    return row


def _language_code(payload: dict[str, Any] | None) -> str | None:
    inbound = (payload or {}).get("inbound")
    code = inbound.get("language_code") if isinstance(inbound, dict) else None
    return code if isinstance(code, str) else None
