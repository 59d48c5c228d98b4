"""The database away under a running `python -m bot run`: what came meanwhile is answered once it
is back, once each, and a database that cannot be used at start stops it with one line."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.db.models import InboxMessage, OutboxMessage
from bot.db.session import Database
from bot.delivery import PENDING, SENDING
from tests.e2e.conftest import ALICE
from tests.e2e.telegram_fake import FakeBotApi, SentMessage
from tests.e2e.test_process import ROOT, bot_process
from tests.e2e.test_webhook import free_port

BOB = 1002
OUTAGE_SECONDS = 10
GONE = "does not answer"  # DatabaseHealth's line when the database goes away
BACK = "The database is back after"  # and when it returns
# Long enough for the scheduler's jobs (every 2 s) to run while the database is away.
WEBHOOK_OUTAGE_SECONDS = 5
SECRET = "not-this-password"  # must never be printed
Answer = tuple[str, list[str]]


class Outage(Protocol):
    url: str  # the DATABASE_URL the bot is given

    async def down(self) -> None: ...

    async def up(self) -> None: ...


class PostgresProxy:
    """A loopback TCP proxy in front of PostgreSQL: `down()` cuts every connection through it and
    stops listening, so that connecting is refused; `up()` listens again on the same port."""

    def __init__(self, database_url: str) -> None:
        target = make_url(database_url)
        self.target = (target.host or "127.0.0.1", target.port or 5432)
        self.port = free_port()
        self.url = target.set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False
        )
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True
        )

    async def down(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for writer in list(self._open):
            writer.transport.abort()
        await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        if self._server is None:  # went down while this one was connecting
            writer.transport.abort()
            upstream.transport.abort()
            return
        self._open |= {writer, upstream}
        try:
            await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, writer))
        finally:
            for end in (writer, upstream):
                self._open.discard(end)
                end.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    writer.transport.abort()  # either side closing ends the connection for both


class ImmutableFile:
    """SQLite: the database file, its WAL and its directory made immutable (`chattr +i`). Unlike
    chmod this stops root as well, and the handles the bot holds open already."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.path = Path(str(make_url(database_url).database))
        self._frozen: list[Path] = []

    async def down(self) -> None:
        # Not the -shm file: SQLite maps it into memory, and a write to an immutable mapping is
        # SIGBUS, a crash rather than an outage.
        wal = self.path.with_name(self.path.name + "-wal")
        targets = [path for path in (self.path, wal) if path.exists()] + [self.path.parent]
        await chattr("+i", targets)
        self._frozen = targets

    async def up(self) -> None:
        if self._frozen:
            await chattr("-i", self._frozen)
            self._frozen = []


async def chattr(flag: str, paths: list[Path]) -> None:
    process = await asyncio.create_subprocess_exec(
        "chattr", flag, *map(str, paths), stderr=asyncio.subprocess.PIPE
    )
    _, error = await process.communicate()
    assert process.returncode == 0, error.decode()


def cannot_freeze(directory: Path) -> str | None:
    """Why files in `directory` cannot be made immutable here, or None when they can."""
    if shutil.which("chattr") is None:
        return "no chattr to make the SQLite file unwritable"
    probe = directory / "probe"
    probe.touch()
    try:
        made = subprocess.run(["chattr", "+i", str(probe)], capture_output=True, text=True)
        if made.returncode != 0:
            return f"cannot make a file immutable here: {made.stderr.strip()}"
        subprocess.run(["chattr", "-i", str(probe)], check=True)
    finally:
        probe.unlink()
    return None


@asynccontextmanager
async def outage_for(database_url: str) -> AsyncIterator[Outage]:
    """A way to take the test's database away from the bot, and always to bring it back."""
    outage: ImmutableFile | PostgresProxy
    if make_url(database_url).get_backend_name() == "sqlite":
        outage = ImmutableFile(database_url)
        if reason := cannot_freeze(outage.path.parent):
            pytest.skip(reason)
    else:
        outage = PostgresProxy(database_url)
    await outage.up()
    try:
        yield outage
    finally:
        await (outage.down() if isinstance(outage, PostgresProxy) else outage.up())


def seen(message: SentMessage) -> Answer:
    return message.plain_text, message.button_labels()


async def answer(fake: FakeBotApi, person: int, text: str) -> Answer:
    """Send `text` as `person`; the one message the bot answers it with."""
    before = len(fake.messages(person))
    fake.send_text(person, text)
    messages = await fake.wait_for_answer(person, before, timeout=60)
    [reply] = messages[before:]
    return seen(reply)


async def settled(url: str, keys: list[str], log: Path, *, timeout: float = 40) -> None:
    """Wait until these updates are in the inbox, none waits there, and no reply waits to go."""
    database = Database(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            async with database.transaction() as session:
                inbox = {
                    key: status
                    for key, status in await session.execute(
                        select(InboxMessage.update_key, InboxMessage.status)
                    )
                }
                unsent = (
                    await session.scalars(
                        select(OutboxMessage.dedup_key).where(
                            OutboxMessage.status.in_((PENDING, SENDING))
                        )
                    )
                ).all()
            if set(keys) <= inbox.keys() and PENDING not in inbox.values() and not unsent:
                return
            assert time.monotonic() < deadline, (
                f"not settled: inbox {inbox}, unsent {unsent}\n{log.read_text()[-3000:]}"
            )
            await asyncio.sleep(0.2)
    finally:
        await database.dispose()


async def handled(url: str, update_ids: list[int]) -> dict[int, tuple[list[str], int]]:
    """Per update: the states of its inbox rows and how many replies it queued."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            inbox = (
                await session.execute(select(InboxMessage.update_key, InboxMessage.status))
            ).all()
            replies = (await session.scalars(select(OutboxMessage.dedup_key))).all()
    finally:
        await database.dispose()
    return {
        update_id: (
            [status for key, status in inbox if key == f"telegram:{update_id}"],
            sum(key.startswith(f"reply:telegram:{update_id}:") for key in replies),
        )
        for update_id in update_ids
    }


async def logged(log: Path, text: str, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"never logged {text!r}:\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.05)


def assert_one_outage(log: Path, *, until_up: str) -> None:
    """The outage is told once when it begins and once when it ends, not before (`until_up` is
    what the log held when the database came back)."""
    lines = log.read_text().splitlines()
    told = [line for line in lines if GONE in line or BACK in line]
    assert [GONE in line for line in told] == [True, False], "\n".join(told or lines[-40:])
    assert "DATABASE_URL=" in told[0], told[0]
    assert told[1] not in until_up, "\n".join(told)


async def test_messages_sent_while_the_database_is_away_are_answered_once_when_it_is_back(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    fake.add_user(BOB, first_name="Bohdan", language_code="uk")
    people = (ALICE, BOB)
    log = tmp_path / "bot.log"
    async with outage_for(database_url) as outage, bot_process(fake, outage.url, log):
        expected: dict[int, list[Answer]] = {}
        for person in people:
            help_, privacy = (
                await answer(fake, person, "/help"),
                await answer(fake, person, "/privacy"),
            )
            assert help_ != privacy
            expected[person] = [help_, privacy] + [privacy, help_] * 2
        await outage.down()
        down_at = time.monotonic()
        sent: dict[int, list[int]] = {person: [] for person in people}
        for text in ("/privacy", "/help", "/privacy", "/help"):
            for person in people:
                sent[person].append(fake.send_text(person, text))
        await logged(log, GONE, timeout=OUTAGE_SECONDS)
        await asyncio.sleep(OUTAGE_SECONDS - (time.monotonic() - down_at))
        assert [len(fake.messages(person)) for person in people] == [2, 2]
        until_up = log.read_text()
        await outage.up()
        update_ids = [update_id for ids in sent.values() for update_id in ids]
        await settled(database_url, [f"telegram:{i}" for i in update_ids], log)
        await logged(log, BACK)
        got = {person: [seen(m) for m in fake.messages(person)] for person in people}
    assert got == expected, log.read_text()[-3000:]
    assert await handled(database_url, update_ids) == {i: (["done"], 1) for i in update_ids}
    assert_one_outage(log, until_up=until_up)
    assert fake.rejected == []


def text_update(update_id: int, person: int, text: str) -> dict[str, Any]:
    """A command in a private chat as Telegram posts it to a webhook."""
    user = {"id": person, "is_bot": False, "first_name": "Alia", "language_code": "ar"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": person, "type": "private", "first_name": "Alia"},
        "from": user,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return {"update_id": update_id, "message": message}


async def test_a_webhook_update_refused_while_the_database_is_away_is_handled_once_later(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    port = free_port()
    secret = hashlib.sha256(fake.token.encode()).hexdigest()[:48]
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    forged, first, second = (
        text_update(1, ALICE, "/start"),
        text_update(2, ALICE, "/help"),
        text_update(3, ALICE, "/privacy"),
    )
    async with (
        outage_for(database_url) as outage,
        bot_process(
            fake,
            outage.url,
            log,
            webhook_url="https://example.invalid/telegram-hook",
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        ),
        httpx.AsyncClient(timeout=30) as client,
    ):

        async def post(update: dict[str, Any], token: str = secret) -> int:
            response = await client.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": token}
            )
            return response.status_code

        await fake.wait_until(
            lambda: any(r.method == "setWebhook" for r in fake.requests), timeout=60
        )
        assert await post(forged, token="0" * 48) == 403
        assert [await post(first), await post(first)] == [200, 200]
        await settled(database_url, ["telegram:2"], log)
        assert len(fake.messages(ALICE)) == 1

        await outage.down()
        assert await post(second) == 503
        await logged(log, GONE)
        await asyncio.sleep(WEBHOOK_OUTAGE_SECONDS)
        assert await post(second) == 503  # Telegram tries again: still not taken
        until_up = log.read_text()
        await outage.up()
        assert [await post(second), await post(second)] == [200, 200]
        await settled(database_url, ["telegram:2", "telegram:3"], log)
        await logged(log, BACK)
        help_, privacy = (seen(m) for m in fake.messages(ALICE))
    assert "/privacy" in help_[0] and len(privacy[1]) == 3, (help_, privacy)
    assert await handled(database_url, [1, 2, 3]) == {
        1: ([], 0),
        2: (["done"], 1),
        3: (["done"], 1),
    }
    assert_one_outage(log, until_up=until_up)
    assert not any(r.method == "getUpdates" for r in fake.requests)


def refused(*command: str, url: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot COMMAND` on this database, as the service starts it (with a bot token)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token",
        # Nothing listens there: a bot that got past its database would not start either.
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
    }
    env.pop("WEBHOOK_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def postgresql_url(**parts: Any) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    return make_url(base).set(**parts).render_as_string(hide_password=False)


@pytest.mark.parametrize("command", ["migrate", "run"])
@pytest.mark.parametrize(
    "case",
    [
        "immutable-sqlite-file",
        "read-only-sqlite",
        "sqlite-directory-that-cannot-be-made",
        "unknown-postgresql-role",
        "unknown-postgresql-database",
        "no-postgresql-server",
    ],
)
async def test_a_database_that_cannot_be_used_stops_the_start_with_one_line(
    case: str, command: str, migrated_urls: dict[str, str], tmp_path: Path
) -> None:
    migrated = tmp_path / "bot.sqlite3"
    shutil.copyfile(make_url(migrated_urls["sqlite"]).database or "", migrated)
    frozen: list[Path] = []
    if case == "immutable-sqlite-file":
        if reason := cannot_freeze(tmp_path):
            pytest.skip(reason)
        frozen = [migrated]
        url, says = f"sqlite+aiosqlite:///{migrated}", "readonly database"
    elif case == "read-only-sqlite":
        url, says = f"sqlite+aiosqlite:///file:{migrated}?mode=ro&uri=true", "readonly database"
    elif case == "sqlite-directory-that-cannot-be-made":
        (tmp_path / "file").touch()
        url = f"sqlite+aiosqlite:///{tmp_path / 'file' / 'data' / 'bot.sqlite3'}"
        says = "the directory cannot be made"
    elif case == "unknown-postgresql-role":
        url, says = postgresql_url(username="nobody_here", password=SECRET), "nobody_here"
    elif case == "unknown-postgresql-database":
        url, says = postgresql_url(database="no_such_database"), "no_such_database"
    else:
        url, says = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test", "refused"
    if frozen:
        await chattr("+i", frozen)
    try:
        result = await asyncio.to_thread(refused, command, url=url)
    finally:
        if frozen:
            await chattr("-i", frozen)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, output
    [line] = lines
    assert line.startswith("error: DATABASE_URL: cannot "), line
    assert says.lower() in line.lower(), line
    assert "Traceback" not in output and SECRET not in output, output
