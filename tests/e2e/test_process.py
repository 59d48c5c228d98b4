"""`python -m bot run` as its own process: it answers, and after `kill -9` it resumes."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from bot.db.models import OutboxMessage
from bot.db.session import Database
from bot.delivery import PENDING, SENDING
from bot.i18n import Catalogs
from conversations.languages import LANGUAGES
from tests.e2e.conftest import ALICE
from tests.e2e.random_input import FORGED_ACTIONS, junk
from tests.e2e.telegram_fake import FakeBotApi, SentMessage, parse_html

ROOT = Path(__file__).resolve().parents[2]
ARABIC = re.compile(r"[\u0600-\u06FF]")
SEED = 20261125  # change it to see other orders and texts; a failure names the input


@asynccontextmanager
async def bot_process(
    fake: FakeBotApi,
    database_url: str,
    log: Path,
    *,
    webhook_url: str | None = None,
    **extra_env: str,
) -> AsyncIterator[int]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "FLOOD_MESSAGES_PER_MINUTE": "6000",
        "FLOOD_BURST": "1000",
        **extra_env,
    }
    env.pop("WEBHOOK_URL", None)
    if webhook_url is not None:
        env["WEBHOOK_URL"] = webhook_url
    async with bot_run(env, log) as process:
        yield process.pid


@asynccontextmanager
async def bot_run(env: dict[str, str], log: Path) -> AsyncIterator[Process]:
    """`python -m bot run` with this environment, its output appended to `log`; killed at the
    end if it still runs."""
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            stdin=asyncio.subprocess.DEVNULL,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_the_bot_process_resumes_a_conversation_after_kill_9(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    async with bot_process(fake, url, log) as pid:
        fake.send_text(ALICE, "/start")
        [greeting] = await fake.wait_for_messages(ALICE, 1, timeout=60)
        fake.press_button(ALICE, greeting.message_id, label="Deutsch")
        await fake.wait_for_messages(ALICE, 2, timeout=20)
        os.kill(pid, signal.SIGKILL)
    role = fake.messages(ALICE)[-1]

    async with bot_process(fake, url, log):
        fake.press_button(ALICE, role.message_id, data="role:newcomer")
        # A reply the killed process had claimed but not marked as sent is sent again once its
        # lease (30 s) runs out, before the new answer: at least once, and in order.
        # The region question: a newcomer is asked where they live, the regions to choose.
        await fake.wait_until(
            lambda: "Hagenow" in fake.messages(ALICE)[-1].button_labels(), timeout=90
        )
        messages = fake.messages(ALICE)
    assert "Hagenow" in messages[-1].button_labels(), log.read_text()
    assert fake.rejected == []


def ar(message: str) -> str:
    """The Arabic catalog's text for `message`, as Telegram shows it (tags gone)."""
    text = parse_html(Catalogs().translator("ar").gettext(message))
    assert ARABIC.search(text), f"no Arabic translation of {message!r}"
    return text


async def answer_to(
    fake: FakeBotApi, send: Callable[[], int], *, what: str, timeout: float = 10.0
) -> list[SentMessage]:
    """Send one update as Alia; the messages the bot answered it with (at least one)."""
    before = len(fake.messages(ALICE))
    send()
    try:
        messages = await fake.wait_for_answer(ALICE, before, timeout=timeout)
    except AssertionError as error:
        raise AssertionError(f"no answer to {what}: {error}") from None
    return messages[before:]


async def survive_junk(
    fake: FakeBotApi, rng: random.Random, *, question: SentMessage, stale: SentMessage
) -> SentMessage:
    """Throw random input at an open question: each gets an Arabic answer that ends with the
    same question again. Returns the latest copy of the question."""
    items = junk(fake, ALICE, rng, question_id=question.message_id, stale_id=stale.message_id)
    expected = (question.plain_text, question.button_labels())  # pressing removes the buttons
    for item in items:
        replies = await answer_to(fake, item.send, what=item.name)
        assert all(ARABIC.search(reply.plain_text) for reply in replies), (item.name, replies)
        last = replies[-1]
        assert (last.plain_text, last.button_labels()) == expected, item.name
        question = last
    return question


async def settle(fake: FakeBotApi, database_url: str) -> None:
    """Wait until every button press is answered and every outbox row is sent, so that a kill
    loses no claimed row (whose lease would delay the next answer by 30 s)."""
    await fake.wait_until(lambda: not fake.unanswered_callbacks(), timeout=10)
    database = Database(database_url)
    deadline = time.monotonic() + 10
    try:
        while True:
            async with database.transaction() as session:
                unsent = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status.in_((PENDING, SENDING)))
                )
            if not unsent:
                return
            assert time.monotonic() < deadline, f"{unsent} outbox rows not sent"
            await asyncio.sleep(0.05)
    finally:
        await database.dispose()


async def test_the_bot_process_onboards_in_arabic_through_random_input_and_kill_9(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    rng = random.Random(SEED)
    async with bot_process(fake, url, log) as pid:
        [greeting] = await answer_to(
            fake, lambda: fake.send_text(ALICE, "/start"), what="/start", timeout=30
        )
        assert greeting.plain_text.startswith("Gemeinsam · Landkreis Ludwigslust-Parchim")
        assert "أهلاً وسهلاً!" in greeting.plain_text and "Willkommen!" in greeting.plain_text
        assert greeting.button_labels() == [language.endonym for language in LANGUAGES]
        [role] = await answer_to(
            fake,
            lambda: fake.press_button(ALICE, greeting.message_id, label="العربية"),
            what="Arabic",
        )
        assert role.plain_text == ar("How are you here?")
        assert role.button_labels() == [ar("I volunteer"), ar("I am new in the district")]
        role = await survive_junk(fake, rng, question=role, stale=greeting)
        [region] = await answer_to(
            fake,
            lambda: fake.press_button(ALICE, role.message_id, label=ar("I volunteer")),
            what="volunteer",
        )
        assert region.plain_text == ar(
            "Which region do you live or volunteer in? Choose the town nearest to you."
        )
        await settle(fake, url)
        os.kill(pid, signal.SIGKILL)

    polls = fake.polls
    async with bot_process(fake, url, log):
        await fake.wait_until(lambda: fake.polls > polls, timeout=30)
        # The first answer after the restart repeats the region question: it resumed there.
        region = await survive_junk(fake, rng, question=region, stale=role)
        [privacy] = await answer_to(
            fake,
            lambda: fake.press_button(ALICE, region.message_id, label="Parchim"),
            what="Parchim",
        )
        assert ARABIC.search(privacy.plain_text) and "/deletemydata" in privacy.plain_text
        assert privacy.button_labels() == [ar("I agree"), ar("I do not agree")]
        thanks, menu = await answer_to(
            fake,
            lambda: fake.press_button(ALICE, privacy.message_id, label=ar("I agree")),
            what="I agree",
        )
        assert thanks.plain_text == ar("Thank you! You are all set.")
        assert ar("Settings") in menu.button_labels()
        apology = ar(
            "Sorry, something went wrong on my side. Please try again; your earlier answers "
            "are kept."
        )
        for item in junk(
            fake,
            ALICE,
            rng,
            question_id=menu.message_id,
            stale_id=privacy.message_id,
            forged=FORGED_ACTIONS,
        ):
            replies = await answer_to(fake, item.send, what=item.name)
            texts = [reply.plain_text for reply in replies]
            assert all(ARABIC.search(text) for text in texts), (item.name, texts)
            assert apology not in texts, item.name
        welcome, menu = await answer_to(
            fake, lambda: fake.send_text(ALICE, "/start"), what="/start again"
        )
        assert welcome.plain_text == ar("Welcome back to <b>Gemeinsam</b>!")
        assert menu.plain_text == ar("What would you like to do?")
        await fake.wait_until(lambda: not fake.unanswered_callbacks(), timeout=10)
    assert fake.rejected == [], log.read_text()
