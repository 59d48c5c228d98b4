"""`LOG_FORMAT=json`: `python -m bot run` writes one JSON object a line (a traceback too), with
time, level, logger, message and the ids of the turn, person and outbox row it is about, and
nothing about whom: no name, text or chat id."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_logs_telegram import (
    EMAIL,
    NAME,
    ORGANISATION,
    PERSONAL,
    PHONE,
    SECRET,
    STAFF,
    TITLE,
    TOKEN,
    ZOFIA,
    onboard,
)
from tests.e2e.test_meetings_telegram import press, say
from tests.e2e.test_process import bot_run


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        fake.add_user(ZOFIA, first_name="Zofia", language_code="en")
        yield fake


async def test_the_json_log_of_a_chat_with_errors_is_one_object_a_line_naming_nobody(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "BOT_ADMINS": f"telegram:{STAFF}",
        "FLOOD_MESSAGES_PER_MINUTE": "6000",
        "FLOOD_BURST": "1000",
        "LOG_FORMAT": "json",
    }
    for variable in ("WEBHOOK_URL", "LOG_PERSONAL_DATA", "SIGNAL_ACCOUNT", "SIGNAL_CLI_URL"):
        env.pop(variable, None)
    async with bot_run(env, log):
        await fake.wait_until(lambda: fake.polls > 0, timeout=60)
        with closing(sqlite3.connect(database)) as connection:
            # A bug rather than an outage when the phone number is stored: a traceback.
            connection.execute(
                "CREATE TRIGGER phone_fails BEFORE UPDATE OF contact ON applications "
                f"WHEN NEW.contact = '{PHONE}' BEGIN SELECT zeroblob(2000000000); END"
            )
            connection.commit()
        await onboard(fake, ZOFIA, "I volunteer")
        await say(fake, ZOFIA, "/apply")
        await press(fake, ZOFIA, "Start the application")
        await say(fake, ZOFIA, NAME)
        await say(fake, ZOFIA, ORGANISATION)
        await say(fake, ZOFIA, PHONE)
        await fake.wait_until(lambda: "Sorry" in fake.messages(ZOFIA)[-1].plain_text)
        await say(fake, ZOFIA, EMAIL)
        await press(fake, ZOFIA, "Parchim")
        fake.fail_next(
            "sendMessage", status=500, description="Internal Server Error", chat_id=ZOFIA
        )
        await say(fake, ZOFIA, TITLE)
        await fake.wait_until(lambda: "Internal Server Error" in log.read_text(), timeout=15)
    output = log.read_text()
    entries = []
    for line in output.splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"not a JSON line: {line!r}\n{output}") from None
    assert entries, output
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
        assert set(entry) <= {"time", "level", "logger", "message", "exception", "stack"} | {
            "turn",
            "person",
            "outbox",
        }, entry
    [failure] = [e for e in entries if "DataError" in e.get("exception", "")][:1]
    assert failure["level"] == "ERROR" and "\n" in failure["exception"], failure
    assert {"turn", "person"} <= failure.keys(), failure  # the turn it was, whose it was
    [retried] = [e for e in entries if "Internal Server Error" in e["message"]][:1]
    assert {"turn", "person", "outbox"} <= retried.keys(), retried
    assert any("Gemeinsam is running on Telegram" in e["message"] for e in entries), output
    for value in PERSONAL + SECRET:
        assert value not in output, (value, output)
