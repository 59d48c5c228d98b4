"""`LOG_FORMAT=json`: `python -m bot run` writes one JSON object a line (a traceback too), with
time, level, logger, message and the ids of the turn, person and outbox row it is about, and
nothing about whom: no name, text or chat id."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_logs_telegram import (
    PERSONAL,
    SECRET,
    TOKEN,
    ZOFIA,
    a_day_with_errors,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        fake.add_user(ZOFIA, first_name="Zofia", language_code="en")
        yield fake


async def test_the_json_log_of_a_chat_with_errors_is_one_object_a_line_naming_nobody(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    output = await a_day_with_errors(fake, tmp_path, LOG_FORMAT="json")
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
