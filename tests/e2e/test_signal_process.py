"""`python -m bot run` on Signal as its own process, against the fake signal-cli daemon on
loopback: it serves a person, survives the daemon going away, `kill -9`, and a database outage
(with the spool), and every message is answered exactly once, in order."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from bot.db.models import InboxMessage, OutboxMessage
from bot.db.session import Database
from bot.delivery import PENDING, SENDING
from tests.e2e.conftest import SAMIRA
from tests.e2e.signal_chat import SignalChat
from tests.e2e.signal_fake import FakeSignalDaemon
from tests.e2e.test_outage import GONE, logged, outage_for
from tests.e2e.test_process import bot_run

ADMIN = "signal:+4915199999999"
RUNNING = "Gemeinsam is running on Signal"
CONNECTED = "Signal: connected to the signal-cli daemon"
AWAY = "Signal: the signal-cli daemon at"  # … cannot be reached; trying again
HELP, PRIVACY = "/help", "/privacy"  # two commands with different answers: the order shows


@asynccontextmanager
async def signal_process(
    daemon: FakeSignalDaemon, database_url: str, log: Path, *, spool: Path, **extra_env: str
) -> AsyncIterator[Process]:
    """`python -m bot run` with Signal configured and no Telegram token; its output goes to
    `log`. Yields the process once it has connected to the daemon's event stream."""
    env = {
        **os.environ,
        "SIGNAL_ACCOUNT": daemon.account,
        "SIGNAL_CLI_URL": daemon.url,
        "SIGNAL_SPOOL": str(spool),
        "SIGNAL_MESSAGES_PER_MINUTE": "600",
        "DATABASE_URL": database_url,
        "BOT_ADMINS": ADMIN,
        "FLOOD_MESSAGES_PER_MINUTE": "6000",
        "FLOOD_BURST": "1000",
        **extra_env,
    }
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "WEBHOOK_URL"):
        env.pop(name, None)
    connections = daemon.connections
    async with bot_run(env, log) as process:
        deadline = time.monotonic() + 60
        while daemon.connections <= connections:
            assert process.returncode is None, f"the bot ended:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"never connected:\n{log.read_text()[-3000:]}"
            await asyncio.sleep(0.02)
        yield process


def kill_9(process: Process) -> None:
    os.kill(process.pid, signal.SIGKILL)


def key_of(timestamp: int) -> str:
    """The inbox key of a message Samira sent."""
    return f"signal:{SAMIRA}:{timestamp}"


async def onboard(chat: SignalChat) -> None:
    """Through onboarding as a new user does: numbers for the choices, a label typed once."""
    await chat.send("Hallo", timeout=30)
    assert list(chat.choices)[:2] == ["Deutsch", "English"], chat.text
    await chat.choose("English")
    assert "I volunteer" in chat.choices, chat.text
    await chat.send("I volunteer")  # the label works as well as its number
    await chat.choose("Parchim")
    assert "I agree" in chat.choices, chat.text
    await chat.choose("I agree")
    assert "Apply for funding" in chat.choices, chat.text


async def answers_to(chat: SignalChat) -> dict[str, list[str]]:
    """What /help and /privacy answer, each as the texts of its messages."""
    return {command: [m.text for m in await chat.send(command)] for command in (HELP, PRIVACY)}


def expected(answers: dict[str, list[str]], commands: list[str]) -> list[str]:
    return [text for command in commands for text in answers[command]]


async def inbox_rows(url: str, keys: list[str]) -> dict[str, str]:
    """The inbox rows of these keys the database holds: key -> status."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            rows = await session.execute(
                select(InboxMessage.update_key, InboxMessage.status).where(
                    InboxMessage.update_key.in_(keys)
                )
            )
            return {key: status for key, status in rows}
    finally:
        await database.dispose()


async def wait_stored(url: str, keys: list[str], log: Path, *, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while len(await inbox_rows(url, keys)) < len(keys):
        assert time.monotonic() < deadline, f"not stored: {keys}\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.01)


async def settled(url: str, keys: list[str], log: Path, *, timeout: float = 20) -> None:
    """Wait until every key is done in the inbox and no reply waits in the outbox."""
    database = Database(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            async with database.transaction() as session:
                statuses = dict(
                    (
                        await session.execute(
                            select(InboxMessage.update_key, InboxMessage.status).where(
                                InboxMessage.update_key.in_(keys)
                            )
                        )
                    ).all()
                )
                unsent = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status.in_((PENDING, SENDING)))
                )
            if statuses == dict.fromkeys(keys, "done") and not unsent:
                return
            assert time.monotonic() < deadline, (
                f"not settled: inbox {statuses}, {unsent} unsent\n{log.read_text()[-3000:]}"
            )
            await asyncio.sleep(0.1)
    finally:
        await database.dispose()


async def replies_by_key(url: str, keys: list[str]) -> dict[str, list[str]]:
    """Per message: the outbox rows that answer it (dedup keys), with their status."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            rows = await session.execute(
                select(OutboxMessage.dedup_key, OutboxMessage.status).order_by(OutboxMessage.id)
            )
            found: dict[str, list[str]] = {key: [] for key in keys}
            for dedup_key, status in rows:
                for key in keys:
                    if dedup_key.startswith(f"reply:{key}:"):
                        found[key].append(status)
            return found
    finally:
        await database.dispose()


async def assert_answered_once_in_order(
    daemon: FakeSignalDaemon,
    url: str,
    log: Path,
    *,
    before: int,
    sent: list[tuple[str, int]],
    answers: dict[str, list[str]],
    timeout: float = 20,
) -> None:
    """Every (command, timestamp) sent is done once in the inbox, answered by one reply that was
    sent, and Samira received the answers exactly once each, in the order she wrote."""
    keys = [key_of(timestamp) for _, timestamp in sent]
    await settled(url, keys, log, timeout=timeout)
    want = expected(answers, [command for command, _ in sent])
    await daemon.wait_for_messages(SAMIRA, before + len(want), timeout=10)
    await asyncio.sleep(0.5)  # a repeat would come now
    got = daemon.texts_to(SAMIRA)[before:]
    assert got == want, log.read_text()[-3000:]
    replies = await replies_by_key(url, keys)
    assert all(rows and set(rows) == {"sent"} for rows in replies.values()), replies
    for command in (HELP, PRIVACY):  # as many replies to each as to any other
        assert len({len(replies[key_of(t)]) for c, t in sent if c == command}) <= 1, replies


# --- 1. it serves Signal -------------------------------------------------------------------


async def test_the_bot_process_serves_signal_without_a_telegram_token(
    daemon: FakeSignalDaemon, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"  # migrated by the process itself
    log = tmp_path / "bot.log"
    async with signal_process(daemon, url, log, spool=tmp_path / "spool.jsonl"):
        chat = SignalChat(daemon, SAMIRA)
        await onboard(chat)
        await chat.send("/meetings")
        meetings = chat.text
        await chat.send("/help")
        help_text = chat.text
    output = log.read_text()
    assert "/apply" in help_text and "/meetings" in help_text, help_text
    assert meetings and meetings != help_text, meetings
    assert "Traceback" not in output and "ERROR" not in output, output
    # The process is gone, and so is its event stream (seen at the next keep-alive).
    await daemon.wait_until(lambda: daemon.connected == 0, timeout=5)
    assert not [r for r in daemon.requests if r.error is not None], daemon.requests


async def test_the_log_says_the_bot_runs_on_signal(
    daemon: FakeSignalDaemon, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    async with signal_process(daemon, url, log, spool=tmp_path / "spool.jsonl"):
        await logged(log, CONNECTED, timeout=2)
    output = log.read_text()
    assert f"{RUNNING} (signal-cli at {daemon.url})" in output, output
    assert daemon.account not in output, output  # the bot's own number stays out of the log
    assert "Telegram" not in output, output


# --- 2. the daemon restarts ----------------------------------------------------------------


async def test_the_daemon_restarting_in_a_conversation_loses_and_repeats_nothing(
    daemon: FakeSignalDaemon, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    async with signal_process(daemon, database_url, log, spool=tmp_path / "spool.jsonl"):
        chat = SignalChat(daemon, SAMIRA)
        await onboard(chat)
        answers = await answers_to(chat)
        before = len(daemon.messages_to(SAMIRA))
        sent: list[tuple[str, int]] = []

        def write(*commands: str) -> None:
            sent.extend((command, daemon.send_text(SAMIRA, command)) for command in commands)

        # A restart right behind two messages: they are on their way to the bot or in its turn.
        connections = daemon.connections
        write(HELP, PRIVACY)
        await daemon.restart()
        await daemon.wait_until(lambda: daemon.connections > connections, timeout=20)
        write(PRIVACY)
        # Away for a while: what she writes meanwhile waits on Signal's server.
        so_far = expected(answers, [command for command, _ in sent])
        await daemon.wait_for_messages(SAMIRA, before + len(so_far), timeout=20)
        connections = daemon.connections
        await daemon.go_away()
        write(HELP, PRIVACY, HELP)
        assert daemon.undelivered == 3
        await asyncio.sleep(1)
        await daemon.come_back()
        await daemon.wait_until(lambda: daemon.connections > connections, timeout=30)
        write(PRIVACY)
        so_far = expected(answers, [command for command, _ in sent])
        await daemon.wait_for_messages(SAMIRA, before + len(so_far), timeout=20)
        # A restart while a reply is on its way: the send fails, and goes again once.
        daemon.latency = 1.0
        connections = daemon.connections
        write(HELP)
        await daemon.wait_until(lambda: daemon.in_flight > 0, timeout=10)
        await daemon.restart()
        daemon.latency = 0.0
        await daemon.wait_until(lambda: daemon.connections > connections, timeout=30)
        write(PRIVACY)  # answered after it, not before
        await assert_answered_once_in_order(
            daemon, database_url, log, before=before, sent=sent, answers=answers
        )
    output = log.read_text()
    assert output.count(AWAY) == 3, output  # one line for each time it went away
    assert "again in" in output, output  # the reply that was on its way


# --- 3. kill -9 ----------------------------------------------------------------------------


async def hold_her_turns(url: str) -> None:
    """An unfinished row of Samira's ahead of what she writes next, as a slow turn would be:
    what comes is stored, but waits behind it."""
    database = Database(url)
    now = datetime.now(UTC)
    try:
        async with database.transaction() as session:
            session.add(
                InboxMessage(
                    update_key="test:held",
                    channel="signal",
                    chat=SAMIRA,
                    route="private",
                    payload=None,
                    position=0,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now + timedelta(hours=1),
                    received_at=now,
                )
            )
    finally:
        await database.dispose()


async def release_her_turns(url: str) -> None:
    database = Database(url)
    try:
        async with database.transaction() as session:
            await session.execute(
                delete(InboxMessage).where(InboxMessage.update_key == "test:held")
            )
    finally:
        await database.dispose()


async def test_kill_9_loses_no_message_the_inbox_took_nor_any_sent_while_it_was_down(
    daemon: FakeSignalDaemon, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    spool = tmp_path / "spool.jsonl"
    sent: list[tuple[str, int]] = []

    def write(*commands: str) -> list[str]:
        new = [(command, daemon.send_text(SAMIRA, command)) for command in commands]
        sent.extend(new)
        return [key_of(timestamp) for _, timestamp in new]

    async with signal_process(daemon, database_url, log, spool=spool) as process:
        chat = SignalChat(daemon, SAMIRA)
        await onboard(chat)
        answers = await answers_to(chat)
        before = len(daemon.messages_to(SAMIRA))
        await settled(database_url, [], log)  # no reply on its way: none is sent twice
        await hold_her_turns(database_url)
        taken = write(HELP, PRIVACY, PRIVACY, HELP, HELP)
        # Each is stored before the next event is read: once the last is in the inbox, the
        # daemon has handed them all out and holds none of them any more.
        await wait_stored(database_url, taken, log)
        kill_9(process)
    assert daemon.undelivered == 0
    assert await inbox_rows(database_url, taken) == dict.fromkeys(taken, "pending")
    assert len(daemon.messages_to(SAMIRA)) == before  # none answered yet
    assert not spool.exists()

    # Down: what she writes now waits on Signal's server (on-connection mode).
    write(PRIVACY, HELP, PRIVACY)
    assert daemon.undelivered == 3
    await release_her_turns(database_url)
    async with signal_process(daemon, database_url, log, spool=spool):
        assert daemon.undelivered == 0
        write(HELP)
        await assert_answered_once_in_order(
            daemon, database_url, log, before=before, sent=sent, answers=answers
        )


# --- 4. the database away: the spool -------------------------------------------------------


def spooled(spool: Path) -> list[int]:
    """The timestamps of the events kept in the spool file."""
    if not spool.exists():
        return []
    events = [json.loads(json.loads(line)) for line in spool.read_text().splitlines() if line]
    return [event["envelope"]["timestamp"] for event in events]


async def outage_then_kill_9(
    daemon: FakeSignalDaemon,
    database_url: str,
    tmp_path: Path,
    *,
    during: list[str],
    timeout: float = 20,
) -> None:
    """Samira writes `during` while the database is away; all of it is kept in the spool, in
    order; the process is killed with SIGKILL; the database comes back; a new process starts."""
    log = tmp_path / "bot.log"
    # Not next to an SQLite file: its directory is made immutable for the outage.
    spool = tmp_path / "spool" / "signal-spool.jsonl"
    spool.parent.mkdir()
    sent: list[tuple[str, int]] = []
    async with outage_for(database_url) as outage:
        async with signal_process(daemon, outage.url, log, spool=spool) as process:
            chat = SignalChat(daemon, SAMIRA)
            await onboard(chat)
            answers = await answers_to(chat)
            before = len(daemon.messages_to(SAMIRA))
            await settled(outage.url, [], log)  # no reply on its way: none is sent twice
            await outage.down()
            sent += [(command, daemon.send_text(SAMIRA, command)) for command in during]
            deadline = time.monotonic() + 20
            while spooled(spool) != [stamp for _, stamp in sent]:
                assert time.monotonic() < deadline, f"not spooled:\n{log.read_text()[-3000:]}"
                await asyncio.sleep(0.02)
            await logged(log, GONE)
            assert daemon.undelivered == 0  # the daemon has handed them all out
            kill_9(process)
        await outage.up()
        assert spooled(spool) == [stamp for _, stamp in sent]
        async with signal_process(daemon, outage.url, log, spool=spool):
            await assert_answered_once_in_order(
                daemon,
                database_url,
                log,
                before=before,
                sent=sent,
                answers=answers,
                timeout=timeout,
            )
    assert not spool.exists()


async def test_a_message_spooled_while_the_database_was_away_is_answered_after_kill_9(
    daemon: FakeSignalDaemon, database_url: str, tmp_path: Path
) -> None:
    await outage_then_kill_9(daemon, database_url, tmp_path, during=[PRIVACY])


async def test_every_message_received_while_the_database_was_away_survives_kill_9(
    daemon: FakeSignalDaemon, database_url: str, tmp_path: Path
) -> None:
    await outage_then_kill_9(daemon, database_url, tmp_path, during=[PRIVACY, HELP, PRIVACY])


# --- the reconnect pause -------------------------------------------------------------------


async def test_each_daemon_restart_is_followed_by_a_prompt_reconnect(
    daemon: FakeSignalDaemon, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    async with signal_process(daemon, url, log, spool=tmp_path / "spool.jsonl"):
        chat = SignalChat(daemon, SAMIRA)
        await chat.send("Hallo", timeout=30)
        waited = []
        for _ in range(5):  # five restarts, far apart in a real deployment
            connected = daemon.connections + 1
            await daemon.restart()
            started = time.monotonic()
            await daemon.wait_until(lambda n=connected: daemon.connections >= n, timeout=30)
            waited.append(round(time.monotonic() - started, 1))
            await chat.send("Hallo")
    # A pause that grew with each restart would be 16 s by the fifth; it starts at 1 s again.
    assert max(waited) < 8, waited


# --- stopping --------------------------------------------------------------------------------


async def test_sigterm_stops_the_bot_cleanly(daemon: FakeSignalDaemon, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    async with signal_process(daemon, url, log, spool=tmp_path / "spool.jsonl") as process:
        # Stopped before it sent anything: no HTTP connection to close on the way out.
        process.terminate()  # SIGTERM, as systemd or docker stop it
        code = await asyncio.wait_for(process.wait(), timeout=30)
    output = log.read_text()
    assert code == 0 and daemon.connected == 0, output
    assert "Traceback" not in output and "ERROR" not in output, output
