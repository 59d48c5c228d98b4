"""The inbox: each message once, in order per person, fairly across people; a failing turn is
tried again and then apologised for; an outage counts for nothing."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from bot import inbox
from bot.app import App
from bot.channels.base import InboxEntry
from bot.channels.memory import MemoryChannel
from bot.db.models import InboxMessage, OutboxMessage
from bot.inbox import MAX_TURN_ATTEMPTS
from bot.inbox_rows import DONE, FAILED, PENDING
from bot.services.people import users
from conversations.messages import Inbound, InboundKind
from tests.conftest import FakeClock

APOLOGY = "Sorry, something went wrong on my side. Please try again; your earlier answers are kept."
_keys = itertools.count(1)


def text(person: str, words: str = "/help") -> InboxEntry:
    """A message as a channel hands it over; `/help` is a turn anyone gets one answer to."""
    key = f"memory:{next(_keys)}"
    if words.startswith("/"):
        inbound = Inbound(
            "memory",
            person,
            InboundKind.COMMAND,
            key,
            text=words,
            command=words[1:],
            language_code="en",
        )
    else:
        inbound = Inbound("memory", person, InboundKind.TEXT, key, text=words, language_code="en")
    return InboxEntry(inbound)


async def work_due(app: App) -> None:
    """Handle every row that is due now."""
    while await app.inbox.work_once():
        pass


async def work_all(app: App) -> None:
    """Handle every row, letting the time of paced rows come."""
    await work_due(app)
    while any(row.status == PENDING for row in await rows(app)):
        app.clock.advance(seconds=1)  # type: ignore[attr-defined]
        await work_due(app)


async def rows(app: App) -> list[InboxMessage]:
    async with app.database.transaction() as session:
        return list((await session.scalars(select(InboxMessage).order_by(InboxMessage.id))).all())


def channel(app: App) -> MemoryChannel:
    memory = app.dispatcher.channels["memory"]
    assert isinstance(memory, MemoryChannel)
    return memory


def record_turns(app: App, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The update keys of the turns, in the order they ran."""
    order: list[str] = []
    original = app.turns.turn

    async def recorded(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        order.append(f"{inbound.external_id}:{inbound.update_key}")
        return await original(session, inbound, **options)

    monkeypatch.setattr(app.turns, "turn", recorded)
    return order


async def test_a_stored_message_is_answered_once_and_kept_without_its_text(app: App) -> None:
    entry = text("u1")
    for _ in range(3):  # the channel's source delivered it again
        await app.inbox.store([entry])
    await work_all(app)
    [row] = await rows(app)
    assert (row.status, row.payload, row.attempts) == (DONE, None, 1)
    assert len(channel(app).take("u1")) == 1


async def test_idle_workers_look_for_rows_of_other_processes_one_at_a_time(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing to do, only the first worker looks every IDLE_WAIT_SECONDS (for rows other
    processes stored); the others wait for an arrival, and are woken by one at once."""
    monkeypatch.setattr(inbox, "IDLE_WAIT_SECONDS", 0.05)
    looks = 0
    original = app.inbox._claim

    async def counted(session: Any, now: Any) -> Any:
        nonlocal looks
        looks += 1
        return await original(session, now)

    monkeypatch.setattr(app.inbox, "_claim", counted)
    app.inbox.start()
    try:
        await asyncio.sleep(0.5)
        # About ten looks of one worker (the four workers' first looks among them), not forty.
        assert 8 <= looks <= 16
        for person in ("u1", "u2", "u3"):  # one each, as fast as they come
            await app.inbox.store([text(person)])
        answered: set[str] = set()
        for _ in range(100):
            answered.update(person for person in ("u1", "u2", "u3") if channel(app).take(person))
            if len(answered) == 3:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"only {sorted(answered)} were answered")
    finally:
        await app.inbox.stop()


def on_sqlite(app: App) -> None:
    if app.database.writers is None:
        pytest.skip("answered as stored on SQLite alone: on PostgreSQL other processes store too")


def record_tasks(app: App, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The person and the task of each turn, in the order they ran."""
    ran: list[tuple[str, str]] = []
    original = app.turns.turn

    async def recorded(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        task = asyncio.current_task()
        ran.append((inbound.external_id, task.get_name() if task else ""))
        return await original(session, inbound, **options)

    monkeypatch.setattr(app.turns, "turn", recorded)
    return ran


async def test_on_sqlite_a_lone_message_is_answered_in_the_transaction_that_stores_it(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_sqlite(app)
    ran = record_tasks(app, monkeypatch)
    app.inbox.start()
    try:
        storing = asyncio.current_task()
        assert storing is not None
        entry = text("u1")
        statements: list[str] = []

        def noted(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.append(statement.lstrip().upper())

        engine = app.database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", noted)
        try:
            assert await app.inbox.store([entry]) == frozenset()
        finally:
            event.remove(engine, "before_cursor_execute", noted)
        assert ran == [("u1", storing.get_name())]  # not a worker's
        # Stored as it is left once answered: no second statement to mark it done.
        assert sum(s.startswith("INSERT INTO INBOX") for s in statements) == 1
        assert not [s for s in statements if s.startswith("UPDATE INBOX")]
        [row] = await rows(app)
        assert (row.status, row.attempts, row.payload) == (DONE, 1, None)
        assert row.done_at == row.received_at
        await app.inbox.replied()  # its reply went out meanwhile
        assert len(channel(app).take("u1")) == 1
        # Delivered again: known, and not answered again.
        assert await app.inbox.store([entry]) == frozenset({entry.inbound.update_key})
        assert len(await rows(app)) == 1
    finally:
        await app.inbox.stop()
    assert channel(app).take("u1") == []


async def test_on_sqlite_a_message_behind_a_due_row_is_left_to_the_workers(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_sqlite(app)
    ran = record_tasks(app, monkeypatch)
    await app.inbox.store([text("u2")])  # before the workers start: for a worker, due
    app.inbox.start()
    try:
        await app.inbox.store([text("u1")])  # not ahead of u2, whose row came first
        for _ in range(200):
            if len(ran) == 2:
                break
            await asyncio.sleep(0.01)
    finally:
        await app.inbox.stop()
    assert [person for person, _ in ran] == ["u2", "u1"]
    assert all(task.startswith("inbox-worker-") for _, task in ran), ran
    assert [row.status for row in await rows(app)] == [DONE, DONE]


async def test_on_sqlite_a_turn_that_fails_as_it_is_stored_counts_as_the_first_attempt(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    on_sqlite(app)
    original = app.turns.turn
    broken = [True]

    async def broken_once(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        if broken:
            broken.clear()
            raise RuntimeError("a bug")
        return await original(session, inbound, **options)

    monkeypatch.setattr(app.turns, "turn", broken_once)
    app.inbox.start()
    try:
        with caplog.at_level("ERROR", logger="bot.inbox"):
            assert await app.inbox.store([text("u1")]) == frozenset()
    finally:
        await app.inbox.stop()
    [row] = await rows(app)
    assert (row.status, row.attempts, row.last_error) == (PENDING, 1, "RuntimeError: a bug")
    [record] = [r for r in caplog.records if r.name == "bot.inbox"]
    assert record.getMessage() == f"inbox: the turn failed (attempt 1 of {MAX_TURN_ATTEMPTS})"
    assert record.exc_info is not None  # the traceback, for whoever mends it
    clock.advance(minutes=1)
    await work_due(app)
    [row] = await rows(app)
    assert (row.status, row.attempts) == (DONE, 2)
    [answer] = channel(app).take("u1")
    assert answer.text != APOLOGY


async def test_one_persons_backlog_does_not_keep_another_waiting(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = record_turns(app, monkeypatch)
    flood = [text("flooder") for _ in range(6)]
    await app.inbox.store(flood[:3])
    await app.inbox.store(flood[3:])
    other = text("other")
    await app.inbox.store([other])
    await work_all(app)
    keys = [f"{e.inbound.external_id}:{e.inbound.update_key}" for e in flood]
    # The other person's message comes right after the flooder's first one, not after all six;
    # the flooder's own messages stay in their order.
    assert order == [keys[0], f"other:{other.inbound.update_key}", *keys[1:]]


async def test_a_failing_turn_is_tried_again_then_apologised_for_and_does_not_hold_the_next(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = app.turns.turn

    async def broken_on_boom(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        if inbound.text == "boom":
            raise RuntimeError("a bug")
        return await original(session, inbound, **options)

    monkeypatch.setattr(app.turns, "turn", broken_on_boom)
    await app.inbox.store([text("u1", "boom"), text("u1", "/help")])
    for attempt in range(1, MAX_TURN_ATTEMPTS):
        await work_due(app)
        first, second = await rows(app)
        assert (first.status, first.attempts, second.status) == (PENDING, attempt, PENDING)
        assert channel(app).take("u1") == []  # the next message waits behind it, in order
        clock.advance(minutes=1)
    await work_due(app)
    first, second = await rows(app)
    assert (first.status, first.attempts, second.status) == (FAILED, MAX_TURN_ATTEMPTS, DONE)
    assert first.last_error == "RuntimeError: a bug"
    apology, answer = channel(app).take("u1")
    assert apology.text == APOLOGY
    assert answer.text != APOLOGY


async def test_a_failure_two_workers_saw_counts_once_and_is_logged_once(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Between a failed turn's rollback and the count of its attempt, the row is free: a second
    worker may take it and fail too. The attempt is counted, and logged, once."""
    original_failed = app.inbox._failed
    second_worker_ran: list[bool] = []

    async def broken(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        raise RuntimeError("a bug")

    async def late_count(claimed: Any, error: BaseException) -> list[int]:
        if not second_worker_ran:  # the first worker: another one claims before it counts
            second_worker_ran.append(True)
            assert await app.inbox.work_once()
        return await original_failed(claimed, error)

    monkeypatch.setattr(app.turns, "turn", broken)
    monkeypatch.setattr(app.inbox, "_failed", late_count)
    await app.inbox.store([text("u1", "boom")])
    with caplog.at_level("ERROR", logger="bot.inbox"):
        assert await app.inbox.work_once()
    [row] = await rows(app)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.inbox"] == [
        f"inbox row {row.id}: the turn failed (attempt 1 of {MAX_TURN_ATTEMPTS})"
    ]


async def test_an_outage_counts_no_attempt_and_the_message_is_answered_once_it_is_back(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await app.inbox.store([text("u1")])
    original = app.database.transaction
    down = True

    def transaction(**options: Any) -> Any:
        if down:
            raise OperationalError("BEGIN", {}, ConnectionRefusedError("connection refused"))
        return original(**options)

    monkeypatch.setattr(app.database, "transaction", transaction)
    with pytest.raises(OperationalError):
        await app.inbox.work_once()
    app.inbox.start()  # the workers wait it out
    try:
        await until(lambda: app.database.health.is_down)
        down = False
        await until(lambda: not app.database.health.is_down, timeout=15)
    finally:
        await app.inbox.stop()
    [row] = await rows(app)
    assert (row.status, row.attempts) == (DONE, 1)
    assert len(channel(app).take("u1")) == 1


async def until(condition: Callable[[], bool], *, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_database_error_in_a_turn_is_retried_longer_than_a_bug(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection dropped in the middle of a turn, the database answers again: not a bug,
    so no apology after three tries."""
    original = app.turns.turn
    failures = MAX_TURN_ATTEMPTS + 2

    async def dropped(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        nonlocal failures
        if failures:
            failures -= 1
            raise OperationalError("SELECT", {}, ConnectionResetError("connection reset"))
        return await original(session, inbound, **options)

    monkeypatch.setattr(app.turns, "turn", dropped)
    await app.inbox.store([text("u1")])
    while failures:
        await work_due(app)
        clock.advance(minutes=1)
    await work_due(app)
    [row] = await rows(app)
    assert row.status == DONE
    [answer] = channel(app).take("u1")
    assert answer.text != APOLOGY


async def test_two_processes_share_the_inbox_each_message_once_in_order(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    others = [App(app.settings, clock=app.clock) for _ in range(2)]
    order: list[str] = []
    for instance in [app, *others]:
        instance.dispatcher.add_channel(channel(app))
        monkeypatch.setattr(instance.turns, "turn", _into(order, instance.turns.turn))
    people = [f"p{n}" for n in range(5)]
    entries = [text(person) for _ in range(6) for person in people]
    await app.inbox.store(entries)
    try:
        await asyncio.gather(*(work_all(instance) for instance in [app, *others] for _ in range(3)))
    finally:
        for other in others:
            await other.close()
    assert sorted(order) == sorted(
        f"{e.inbound.external_id}:{e.inbound.update_key}" for e in entries
    )
    for person in people:
        mine = [key for key in order if key.startswith(f"{person}:")]
        expected = [
            f"{person}:{e.inbound.update_key}" for e in entries if e.inbound.external_id == person
        ]
        assert mine == expected
    assert {row.status for row in await rows(app)} == {DONE}


def _into(
    order: list[str], turn: Callable[..., Awaitable[list[int]]]
) -> Callable[..., Awaitable[list[int]]]:
    async def recorded(session: Any, inbound: Inbound, **options: Any) -> list[int]:
        order.append(f"{inbound.external_id}:{inbound.update_key}")
        await asyncio.sleep(0)  # give the other workers a chance to race for the same person
        return await turn(session, inbound, **options)

    return recorded


async def test_erasing_a_person_erases_what_the_inbox_holds_of_them(app: App) -> None:
    await app.inbox.store([text("u1"), text("u2")])
    await work_all(app)
    async with app.database.transaction() as session:
        person = await users.find(session, channel="memory", external_id="u1")
        assert person is not None
        await users.erase(session, [person.id])
    assert [row.chat for row in await rows(app)] == ["u2"]
    async with app.database.transaction() as session:
        assert (
            await session.scalar(select(OutboxMessage.id).where(OutboxMessage.address == "u1"))
            is None
        )
