"""A day with errors, and then its log: a whole conversation (onboarding, an invitation
answered, an application) through the real Telegram channel, with a database error, a bug in a
step, a Bot API 500 and a blocked chat on the way. The log says what failed, and nothing about
whom: no name, e-mail, phone number, title, chat id, and never the token."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot import logs
from bot.services.grants.applications import GrantDesk
from bot.settings import Settings
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_meetings_telegram import plan_a_meeting, press, say
from tests.e2e.test_process import bot_run

TOKEN = "7654321:AAHsecret-token-Quellenberg_42"
ZOFIA = 5123456789  # chat ids as long as real ones
STAFF = 5987654321
NAME = "Zofia Quellenberg-Wyrtz"
ORGANISATION = "Verein Quellenbergwiese"
PHONE = "+49 151 2345 6789"
EMAIL = "zofia.quellenberg@example.org"
TITLE = "Sprachcafé an der Quellenbergwiese"
PERSONAL = [
    NAME,
    "Zofia",  # her Telegram name
    "Hildegard",  # the staff member's
    "Quellenberg",  # in the name, the organisation, the e-mail and the title
    ORGANISATION,
    PHONE,
    PHONE.replace(" ", ""),
    "2345 6789",
    EMAIL,
    TITLE,
    str(ZOFIA),
    str(STAFF),
]
SECRET = [TOKEN, TOKEN.split(":", 1)[1]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        fake.add_user(ZOFIA, first_name="Zofia", language_code="en")
        fake.add_user(STAFF, first_name="Hildegard", language_code="en")
        yield fake


@pytest.fixture
def telegram_settings(settings: Settings, fake: FakeBotApi) -> Settings:
    return replace(
        settings,
        telegram_token=fake.token,
        telegram_api_base_url=fake.base_url,
        admins=frozenset({f"telegram:{STAFF}"}),
    )


class Raw(logging.Handler):
    """What the code itself writes into its log lines, before the redactor sees them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[Raw]:
    """The log as `python -m bot run` sets it up: INFO, the redactor on the handler. httpx is
    left at INFO here (the bot quiets it), so that its request URLs test the redactor too."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="httpx")
    raw = Raw()
    root = logging.getLogger()
    root.handlers.insert(0, raw)
    logs.install([caplog.handler])
    yield raw
    caplog.handler.removeFilter(logs.REDACTOR)
    root.removeHandler(raw)
    logs.configure(Settings())


def the_log(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def faults(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Armed by the test: a database error when the phone number is stored (with the number
    among the statement's parameters), and a bug in a step that echoes what it was given."""
    armed = {"database": 0, "bug": 0}
    assert bot.app is not None

    @event.listens_for(bot.app.database.engine.sync_engine, "before_cursor_execute")
    def fail(connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if (
            armed["database"]
            and statement.lstrip().startswith("UPDATE applications")
            and PHONE in repr(parameters)
        ):
            raise connection.dialect.loaded_dbapi.ProgrammingError("the disk said no")

    update = GrantDesk.update

    async def buggy_update(self: GrantDesk, application_id: int, **fields: Any) -> None:
        if armed["bug"] and "organisation" in fields:
            armed["bug"] -= 1
            int(fields["organisation"])  # a bug: ValueError: invalid literal … 'Verein …'
        await update(self, application_id, **fields)

    monkeypatch.setattr(GrantDesk, "update", buggy_update)
    return armed


async def onboard(fake: FakeBotApi, chat: int, role: str) -> None:
    await say(fake, chat, "/start")
    await press(fake, chat, "English")
    await press(fake, chat, role)
    await press(fake, chat, "Parchim")
    await press(fake, chat, "I agree")


async def apply_up_to_the_contact(fake: FakeBotApi, armed: dict[str, int]) -> None:
    await say(fake, ZOFIA, "/apply")
    await press(fake, ZOFIA, "Start the application")
    await say(fake, ZOFIA, NAME)
    armed["bug"] = 1  # once: the step is tried again and goes through
    await say(fake, ZOFIA, ORGANISATION)
    assert armed["bug"] == 0
    armed["database"] = 1  # every attempt fails: the turn gives up and apologises
    await say(fake, ZOFIA, PHONE)
    await fake.wait_until(lambda: "Sorry" in fake.messages(ZOFIA)[-1].plain_text)
    armed["database"] = 0


async def test_the_log_of_a_day_with_errors_names_nobody(
    telegram_settings: Settings,
    fake: FakeBotApi,
    captured: Raw,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logs.configure(telegram_settings)  # as `python -m bot run` does at start
    bot = RunningBot(telegram_settings, fake)
    await bot.start()
    try:
        armed = faults(bot, monkeypatch)
        await onboard(fake, STAFF, "I work for the district office")
        await onboard(fake, ZOFIA, "I volunteer")
        await plan_a_meeting(bot, fake, STAFF)
        await press(fake, ZOFIA, "Yes")
        await fake.wait_until(lambda: any(m.document for m in fake.messages(ZOFIA)))
        fake.block_bot(STAFF)  # told of the application below: 403

        await apply_up_to_the_contact(fake, armed)
        await say(fake, ZOFIA, EMAIL)
        await press(fake, ZOFIA, "Parchim")
        fake.fail_next(
            "sendMessage", status=500, description="Internal Server Error", chat_id=ZOFIA
        )
        await say(fake, ZOFIA, TITLE)
        await say(fake, ZOFIA, "Ein wöchentliches Treffen zum Deutschlernen mit den Nachbarn.")
        await press(fake, ZOFIA, "Language help")
        await press(fake, ZOFIA, "Done")
        await say(fake, ZOFIA, "4")
        await say(fake, ZOFIA, "20")
        today = bot.clock.now().date()
        await say(fake, ZOFIA, (today + timedelta(days=10)).isoformat())
        await say(fake, ZOFIA, (today + timedelta(days=20)).isoformat())
        await press(fake, ZOFIA, "Room costs for joint events")
        await say(fake, ZOFIA, "Raummiete")
        await say(fake, ZOFIA, "300")
        await press(fake, ZOFIA, "The cost plan is complete")
        await press(fake, ZOFIA, "Continue")
        await press(fake, ZOFIA, "I confirm all three and submit")
        assert any("MP-" in m.plain_text for m in fake.messages(ZOFIA)[-3:])
        await fake.wait_until(
            lambda: any(r.status == 403 and r.method == "sendMessage" for r in fake.requests)
        )
        await fake.wait_until(lambda: "is unreachable" in the_log(caplog))
    finally:
        await bot.stop()

    log = the_log(caplog)
    # The errors happened and were logged with what a developer needs.
    assert "ProgrammingError" in log and "the disk said no" in log, log
    assert "UPDATE applications" in log and "[SQL parameters hidden" in log, log
    assert "ValueError: invalid literal for int() with base 10: '<text>'" in log, log
    assert "Internal Server Error" in log, log
    assert "telegram:#" in log, log  # people as pseudonyms
    assert "bot<token>/" in log, log  # httpx's request lines, the token replaced
    for value in PERSONAL + SECRET:
        assert value not in log, (value, log)
    # And it is not only the redactor: the bot's own lines name nobody in the first place.
    own = "\n".join(line for line in captured.messages if line.startswith("bot."))
    assert own, captured.messages
    for value in PERSONAL:
        assert value not in own, (value, own)


async def test_the_debug_setting_shows_the_parameters(
    telegram_settings: Settings,
    fake: FakeBotApi,
    captured: Raw,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LOG_PERSONAL_DATA, for troubleshooting: the same errors show whom they were about; the
    token stays hidden."""
    settings = replace(telegram_settings, log_personal_data=True)
    logs.configure(settings)
    bot = RunningBot(settings, fake)
    await bot.start()
    try:
        armed = faults(bot, monkeypatch)
        await onboard(fake, ZOFIA, "I volunteer")
        await apply_up_to_the_contact(fake, armed)
    finally:
        await bot.stop()
    log = the_log(caplog)
    assert PHONE in log and ORGANISATION in log, log  # the parameters, the echoed text
    for value in SECRET:
        assert value not in log, (value, log)


async def a_day_with_errors(fake: FakeBotApi, tmp_path: Path, **extra_env: str) -> str:
    """`python -m bot run` with its own logging: a database error (a trigger that fails the
    statement storing the phone number: "string or blob too big", a DataError, a bug rather
    than an outage) and a 500; its output."""
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
        **extra_env,
    }
    for variable in ("WEBHOOK_URL", "LOG_PERSONAL_DATA", "SIGNAL_ACCOUNT", "SIGNAL_CLI_URL"):
        env.pop(variable, None)
    async with bot_run(env, log):
        await fake.wait_until(lambda: fake.polls > 0, timeout=60)
        with closing(sqlite3.connect(database)) as connection:
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
    return log.read_text()


async def test_the_bot_process_logs_a_day_with_errors_without_personal_data(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    output = await a_day_with_errors(fake, tmp_path)
    assert "DataError" in output and "[SQL parameters hidden" in output, output
    assert "Internal Server Error" in output and "telegram:#" in output, output
    for value in PERSONAL + SECRET:
        assert value not in output, (value, output)


async def test_a_token_telegram_refuses_is_one_line_without_the_token(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    async with FakeBotApi(token="1111111:another-bots-token") as other:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": other.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        }
        for variable in ("WEBHOOK_URL", "SIGNAL_ACCOUNT", "SIGNAL_CLI_URL"):
            env.pop(variable, None)
        async with bot_run(env, log) as process:
            assert await asyncio.wait_for(process.wait(), timeout=60) == 2
    output = log.read_text()
    assert "error: TELEGRAM_BOT_TOKEN: Telegram does not accept this token" in output, output
    for value in SECRET:
        assert value not in output, (value, output)
