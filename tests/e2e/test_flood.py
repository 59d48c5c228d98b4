"""One person floods `python -m bot run` with 500 messages: one note per quiet window, a database
that grows only by what the limit allows, and the others answered in turn as if nothing happened.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.channels.base import FLOOD
from bot.db.models import InboxMessage, OutboxMessage
from bot.db.session import Database
from bot.i18n import Catalogs
from bot.inbox_rows import DONE
from tests.e2e.telegram_fake import FakeBotApi, parse_html
from tests.e2e.test_process import bot_process, settle

OTHER = 2001  # writes a command every second, in German
FLOODER = 2002  # sends 500 messages as fast as a script can, in Ukrainian
FLOOD_SIZE = 500
PER_MINUTE, BURST = 20, 10  # the defaults of FLOOD_MESSAGES_PER_MINUTE and FLOOD_BURST
QUIET_WINDOW = 60.0  # seconds of quiet after the note (FloodGuard's window)
MAX_REPLIES = 2  # what one message gets at most here: an answer and the open question again
WORKERS = 4  # the inbox's workers: at most this many turns run at once
OTHER_COMMANDS = ("/help", "/privacy")  # stateless, with different answers: order shows
OTHER_MESSAGES = 8  # one a second; with the two of the warm-up within OTHER's own burst
NOTE = (
    "You are writing faster than I can read. I will answer again in a minute; "
    "please send your last message again then."
)


def uk(message: str) -> str:
    """The Ukrainian catalog's text for `message`, as Telegram shows it."""
    text = parse_html(Catalogs().translator("uk").gettext(message))
    assert text != parse_html(message), f"no Ukrainian translation of {message!r}"
    return text


def flood_text(number: int) -> str:
    return "/help" if number % 3 == 0 else f"Hallo? ({number})"


def other_command(number: int) -> str:
    return OTHER_COMMANDS[number % len(OTHER_COMMANDS)]


async def started(fake: FakeBotApi) -> dict[str, str]:
    """Wait for the first poll; the answer to each of OTHER's commands, as a reference."""
    fake.add_user(OTHER, first_name="Ole", language_code="de")
    fake.add_user(FLOODER, first_name="Fedir", language_code="uk")
    await fake.wait_until(lambda: fake.polls > 0, timeout=60)
    answers = {}
    for command in OTHER_COMMANDS:
        before = len(fake.messages(OTHER))
        fake.send_text(OTHER, command)
        [answer] = (await fake.wait_for_answer(OTHER, before, timeout=30))[before:]
        answers[command] = answer.plain_text
    assert len(set(answers.values())) == len(answers), answers
    return answers


async def answered(fake: FakeBotApi, expected: list[str]) -> None:
    """OTHER has every expected answer, each once, in order."""
    await fake.wait_for_messages(OTHER, len(expected), timeout=60)
    await asyncio.sleep(0.5)  # a duplicate would come now
    assert [message.plain_text for message in fake.messages(OTHER)] == expected


async def test_a_flood_brings_one_note_and_costs_the_others_nothing(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    limits = {"FLOOD_MESSAGES_PER_MINUTE": str(PER_MINUTE), "FLOOD_BURST": str(BURST)}
    async with bot_process(fake, database_url, log, **limits):
        answers = await started(fake)
        expected = list(answers.values())
        begun = time.monotonic()
        sent = 0
        for second in range(OTHER_MESSAGES):
            command = other_command(second)
            fake.send_text(OTHER, command)
            expected.append(answers[command])
            for tick in range(10):  # the flood spread over the seconds, a burst each 0.1 s
                until = FLOOD_SIZE * (second * 10 + tick + 1) // (OTHER_MESSAGES * 10)
                for number in range(sent, until):
                    fake.send_text(FLOODER, flood_text(number))
                sent = until
                await asyncio.sleep(0.1)
        assert sent == FLOOD_SIZE
        await answered(fake, expected)
        await fake.wait_until(lambda: fake.updates_pending() == 0, timeout=30)
        await settle(fake, database_url)
        elapsed = time.monotonic() - begun
    assert fake.rejected == [], log.read_text()

    inbox, notes, outbox = await flooder_rows(database_url)
    # One note per quiet window; the flood lasts seconds, so one window unless the run is slow.
    assert 1 <= notes <= 1 + elapsed // QUIET_WINDOW, (notes, elapsed)
    note_texts = [m.plain_text for m in fake.messages(FLOODER) if m.plain_text == uk(NOTE)]
    assert len(note_texts) == notes, [m.plain_text[:60] for m in fake.messages(FLOODER)]
    allowed = BURST + PER_MINUTE / 60 * elapsed
    assert BURST <= inbox - notes <= allowed, (inbox, notes, elapsed)
    assert outbox <= MAX_REPLIES * allowed + notes, (outbox, inbox, notes)
    assert len(fake.messages(FLOODER)) == outbox  # every row sent, once


async def flooder_rows(database_url: str) -> tuple[int, int, int]:
    """The flooder's inbox rows, how many of them are notes, their outbox rows; all done."""
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            statuses = dict(
                (
                    await session.execute(
                        select(InboxMessage.route, func.count())
                        .where(InboxMessage.chat == str(FLOODER))
                        .group_by(InboxMessage.route)
                    )
                ).all()
            )
            undone = await session.scalar(
                select(func.count()).select_from(InboxMessage).where(InboxMessage.status != DONE)
            )
            outbox = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.address == str(FLOODER))
            )
    finally:
        await database.dispose()
    assert undone == 0
    return sum(statuses.values()), statuses.get(FLOOD, 0), outbox or 0


@dataclass(frozen=True)
class Handled:
    """One inbox row's life, as the database recorded it."""

    update_id: int
    chat: int
    received_at: datetime
    done_at: datetime | None


async def test_without_a_limit_a_backlog_of_500_keeps_nobody_else_waiting(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    async with bot_process(fake, database_url, log, FLOOD_MESSAGES_PER_MINUTE="0"):
        answers = await started(fake)
        expected = list(answers.values())
        for number in range(FLOOD_SIZE):
            fake.send_text(FLOODER, flood_text(number))
        for second in range(OTHER_MESSAGES):
            command = other_command(second)
            fake.send_text(OTHER, command)
            expected.append(answers[command])
            await asyncio.sleep(1)
        await answered(fake, expected)
        rows = await inbox_rows(database_url)
    assert fake.rejected == [], log.read_text()

    flood = [row for row in rows if row.chat == FLOODER]
    assert len(flood) == FLOOD_SIZE
    others = [row for row in rows if row.chat == OTHER][len(OTHER_COMMANDS) :]
    assert len(others) == OTHER_MESSAGES
    waiting, overtaking = [], []
    for row in others:
        # From the moment the row was stored to the moment a turn took it up (both stamped
        # inside their transactions; the same moment when it was answered as it was stored).
        # The flooder's rows stored before it and not yet done: the backlog it came behind.
        stored, taken = row.received_at, row.done_at
        assert taken is not None
        behind = [f for f in flood if f.received_at <= stored]
        waiting.append(sum(1 for f in behind if not f.done_at or stored < f.done_at))
        # The flooder's turns begun meanwhile: one running when the row came, at most one per
        # worker; never the backlog behind it.
        overtaking.append(sum(1 for f in flood if f.done_at and stored < f.done_at <= taken))
    assert waiting[0] >= FLOOD_SIZE // 2, ("no backlog to be fair about", waiting)
    assert max(overtaking) <= WORKERS + 2, (waiting, overtaking)


async def inbox_rows(database_url: str) -> list[Handled]:
    """Every inbox row in order; `done_at` is when a worker began the turn that took it."""
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            rows = await session.execute(
                select(
                    InboxMessage.update_key,
                    InboxMessage.chat,
                    InboxMessage.received_at,
                    InboxMessage.done_at,
                ).order_by(InboxMessage.id)
            )
            return [
                Handled(int(key.rsplit(":", 1)[1]), int(chat), received, done)
                for key, chat, received, done in rows
            ]
    finally:
        await database.dispose()
