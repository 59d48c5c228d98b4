"""What reaches the log: SQL parameters hidden, people as pseudonyms, secrets and personal data
struck out at the default setting, all of it shown with LOG_PERSONAL_DATA."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bot import logs
from bot.app import App
from bot.db.models import Region
from bot.db.session import Database
from bot.settings import Settings
from bot.settings_values import ConfigError

TOKEN = "7654321:AAHsecret-token-Quellenberg_42"
TITLE = "Sprachcafé Quellenbergwiese"


@pytest.fixture(autouse=True)
def fresh_redactor() -> Iterator[None]:
    yield
    logs.configure(Settings())


def formatted(record: logging.LogRecord) -> str:
    return logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)


def logged(message: str, *args: object, error: BaseException | None = None) -> str:
    """One record through the redactor as the handlers at start have it, formatted."""
    record = logging.LogRecord(
        "bot.test",
        logging.ERROR,
        __file__,
        1,
        message,
        args,
        (type(error), error, error.__traceback__) if error is not None else None,
    )
    assert logs.REDACTOR.filter(record)
    return formatted(record)


async def duplicate_region(database: Database) -> IntegrityError:
    """A real statement that fails with the title among its parameters."""
    with pytest.raises(IntegrityError) as caught:
        async with database.transaction() as session:
            await session.execute(insert(Region).values(id=1, key="parchim", name=TITLE))
    return caught.value


async def test_a_failed_statement_names_its_columns_but_not_its_values(database_url: str) -> None:
    database = Database(database_url)
    try:
        error = await duplicate_region(database)
    finally:
        await database.dispose()
    assert "INSERT INTO regions" in str(error)
    assert TITLE not in str(error)
    assert TITLE not in logged("the turn failed", error=error)


async def test_the_debug_setting_shows_the_values(database_url: str) -> None:
    database = Database(database_url, hide_parameters=False)
    try:
        error = await duplicate_region(database)
    finally:
        await database.dispose()
    assert TITLE in str(error)


def test_the_token_never_appears_not_even_with_the_debug_setting() -> None:
    for personal in (False, True):
        logs.configure(Settings(telegram_token=TOKEN, log_personal_data=personal))
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getUpdates failed")
        except RuntimeError as error:
            line = logged(
                "request to %s failed", f"https://api.telegram.org/bot{TOKEN}/x", error=error
            )
        assert TOKEN not in line and TOKEN.split(":")[1] not in line, line
        assert "bot<token>/getUpdates" in line


def test_the_bots_signal_number_and_the_database_password_are_hidden() -> None:
    logs.configure(
        Settings(
            signal_account="+4915100000000",
            signal_cli_url="http://127.0.0.1:8080",
            database_url="postgresql+asyncpg://bot:pa55-w0rd@db/gemeinsam",
            log_personal_data=True,
        )
    )
    line = logged("sending as %s with %s", "+4915100000000", "bot:pa55-w0rd@db")
    assert "+4915100000000" not in line and "pa55-w0rd" not in line, line


@pytest.mark.parametrize(
    "personal_data, shown_as",
    [
        ("zofia.quellenberg@example.org", "<e-mail>"),
        ("+49 151 2345 6789", "<phone>"),
        ("0049 385 1234567", "<phone>"),
        ("0385 1234567", "<phone>"),
        ("telegram:5123456789", "telegram:<number>"),
        ("-1001234567890", "<number>"),
        ("signal:5b3c1a2e-7f40-4c8e-9d21-0a6b7c8d9e01", "signal:<uuid>"),
    ],
)
def test_personal_data_in_a_message_is_struck_out(personal_data: str, shown_as: str) -> None:
    line = logged("outbox 12 to %s: Bad Gateway (again in 0:00:30)", personal_data)
    assert line == f"ERROR bot.test: outbox 12 to {shown_as}: Bad Gateway (again in 0:00:30)"

    logs.configure(Settings(log_personal_data=True))
    assert personal_data in logged("outbox 12 to %s", personal_data)


def test_an_exception_that_echoes_what_it_was_given_is_struck_out() -> None:
    typed = "Zofia Quellenberg-Wyrtz, zofia@example.org"
    try:
        int(typed)
    except ValueError as error:
        line = logged("inbox row 3: the turn failed", error=error)
    assert "Zofia" not in line and "zofia@" not in line, line
    assert "ValueError: invalid literal for int() with base 10: '<text>'" in line
    assert "Traceback (most recent call last):" in line

    try:
        {"kind": 1}["application_id"]
    except KeyError as error:  # a key of the code stays readable
        assert "KeyError: 'application_id'" in logged("failed", error=error)


def test_people_appear_as_a_pseudonym_that_stays_the_same() -> None:
    logs.configure(Settings(telegram_token=TOKEN))
    alice = logs.who("telegram", 5123456789)
    assert alice.startswith("telegram:#") and len(alice) == len("telegram:#") + 8
    assert "5123456789" not in alice
    assert logs.who("telegram", "5123456789") == alice
    assert logs.who("telegram", 5123456788) != alice

    logs.configure(Settings(telegram_token=TOKEN))  # a restart with the same token
    assert logs.who("telegram", 5123456789) == alice

    logs.configure(Settings(telegram_token="7654321:another-token"))
    assert logs.who("telegram", 5123456789) != alice  # keyed: nobody can try all chat ids

    logs.configure(Settings(telegram_token=TOKEN, log_personal_data=True))
    assert logs.who("telegram", 5123456789) == "telegram:5123456789"


def test_the_redactor_sits_on_every_handler_once() -> None:
    first, second = logging.StreamHandler(), logging.StreamHandler()
    logs.install([first, second])
    logs.install([first])
    assert first.filters == [logs.REDACTOR] and second.filters == [logs.REDACTOR]


def test_the_debug_setting_is_a_clear_yes_or_no() -> None:
    assert Settings.from_env({}).log_personal_data is False
    assert Settings.from_env({"LOG_PERSONAL_DATA": "true"}).log_personal_data is True
    assert Settings.from_env({"LOG_PERSONAL_DATA": "0"}).log_personal_data is False
    with pytest.raises(ConfigError, match="LOG_PERSONAL_DATA"):
        Settings.from_env({"LOG_PERSONAL_DATA": "sometimes"})


async def test_the_app_hides_sql_parameters_unless_asked(settings: Settings) -> None:
    for personal, hidden in ((False, True), (True, False)):
        app = App(replace(settings, log_personal_data=personal))
        assert app.database.engine.sync_engine.hide_parameters is hidden
        await app.database.dispose()


def test_a_json_line_carries_the_ids_and_its_traceback_on_the_same_line() -> None:
    given = "Zofia Quellenberg-Wyrtz"
    try:
        int(given)  # echoes what it was given
    except ValueError as error:
        with logs.about(logs.TURN, 12), logs.about(logs.PERSON, 7), logs.about(logs.OUTBOX, 30):
            record = logging.LogRecord(
                "bot.test",
                logging.ERROR,
                __file__,
                1,
                "turn for %s failed",
                ("x@y.org",),
                (type(error), error, error.__traceback__),
            )
            assert logs.REDACTOR.filter(record)
            line = logs.JsonFormatter().format(record)
            text = logs.TextFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "turn for <e-mail> failed"
    assert (entry["level"], entry["logger"]) == ("ERROR", "bot.test")
    assert (entry["turn"], entry["person"], entry["outbox"]) == (12, 7, 30)
    assert entry["time"].endswith("+00:00")
    assert entry["exception"].startswith("Traceback (most recent call last):\n")
    assert "'<text>'" in entry["exception"] and "Zofia" not in line
    assert text.splitlines()[0].endswith("turn for <e-mail> failed turn=12 person=7 outbox=30")


def test_a_line_outside_a_turn_carries_no_ids() -> None:
    record = logging.LogRecord("bot.test", logging.INFO, __file__, 1, "started", (), None)
    assert set(json.loads(logs.JsonFormatter().format(record))) == {
        "time",
        "level",
        "logger",
        "message",
    }
    assert logs.TextFormatter().format(record).endswith("bot.test: started")
