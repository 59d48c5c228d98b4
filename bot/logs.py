"""What the logs may say: people appear as pseudonyms, secrets never, and personal data that
slips into a message or a traceback (an e-mail, a phone number, a chat id) is struck out,
unless `LOG_PERSONAL_DATA` asks for it while troubleshooting. `LOG_FORMAT=json` writes one JSON
object a line, with the ids of the turn, the person and the outbox row the line is about."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from bot.settings import Settings

PERSONAL_DATA_VARIABLE = "LOG_PERSONAL_DATA"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What a line is about, carried through the awaits of a turn or a delivery: the inbox row of the
# turn, the person's id in the database (never their address or name), the outbox row.
TURN: ContextVar[int | None] = ContextVar("log_turn", default=None)
PERSON: ContextVar[int | None] = ContextVar("log_person", default=None)
OUTBOX: ContextVar[int | None] = ContextVar("log_outbox", default=None)

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")
# International (+49…, 0049…) and national (0151 …) numbers, with the usual separators.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9](?:[ ./()-]{0,2}\d){6,16}(?!\d)"
    r"|(?<![\w.,:+-])0[1-9]\d{1,4}[ /-]?\d{5,}(?![\w])"
)
# A chat id, a Signal timestamp, an id beyond any row count: a long digit run identifies.
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{7,}(?![\w])")
_PERSONAL = (
    (_EMAIL, "<e-mail>"),
    (_UUID, "<uuid>"),
    (_PHONE, "<phone>"),
    (_LONG_NUMBER, "<number>"),
)
# Exceptions echo what they were given (`invalid literal for int() with base 10: 'Zofia …'`):
# in a traceback's exception lines, a quoted text goes unless it looks like a key in the code.
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'" + r'|"(?:[^"\\\n]|\\.)*"')
_CODE_WORD = re.compile(r"""(['"])[a-z_][a-z0-9_.:/-]*\1""")
_TRACEBACK_LINES = (
    "Traceback (most recent call last):",
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)


class Redactor(logging.Filter):
    """On a handler: rewrites each record before it is formatted. Secrets (the bot token, the
    bot's Signal number, the database password) are replaced always; personal data unless
    `personal` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.personal = False
        self._secrets: list[tuple[str, str]] = []

    def keep_secret(self, value: str | None, label: str) -> None:
        if value and (value, label) not in self._secrets:
            self._secrets.append((value, label))
            self._secrets.sort(key=lambda secret: -len(secret[0]))  # the longest first

    def forget_secrets(self) -> None:
        self._secrets.clear()

    def redact(self, text: str) -> str:
        for value, label in self._secrets:
            text = text.replace(value, label)
        if not self.personal:
            for pattern, label in _PERSONAL:
                text = pattern.sub(label, text)
        return text

    def redact_traceback(self, text: str) -> str:
        text = self.redact(text)
        if self.personal:
            return text
        return "\n".join(
            _QUOTED.sub(_quoted, line)
            if line and not line[0].isspace() and line not in _TRACEBACK_LINES
            else line
            for line in text.split("\n")
        )

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: logging reports it itself
            return True
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact_traceback(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _quoted(match: re.Match[str]) -> str:
    return match[0] if _CODE_WORD.fullmatch(match[0]) else "'<text>'"


_FORMATTER = logging.Formatter()
REDACTOR = Redactor()
_key = secrets.token_bytes(32)  # until `configure`: pseudonyms of this process only


def who(channel: str, external_id: object) -> str:
    """A person's address as the logs show it: `telegram:#1a2b3c4d`, the same for the same
    person while the bot token stays the same (LOG_PERSONAL_DATA: the address itself)."""
    if REDACTOR.personal:
        return f"{channel}:{external_id}"
    digest = hmac.new(_key, f"{channel}:{external_id}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}:#{digest[:8]}"


@contextlib.contextmanager
def about(variable: ContextVar[int | None], value: int | None) -> Iterator[None]:
    """Lines logged within the block (and the tasks it starts) carry this id."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def _ids() -> dict[str, int]:
    ids = {"turn": TURN.get(), "person": PERSON.get(), "outbox": OUTBOX.get()}
    return {name: value for name, value in ids.items() if value is not None}


class TextFormatter(logging.Formatter):
    """The usual line, with the ids it is about at its end (a traceback follows on its own
    lines, for people reading the log)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        ids = _ids()
        return line + "".join(f" {name}={value}" for name, value in ids.items()) if ids else line


class JsonFormatter(logging.Formatter):
    """One JSON object a line (a traceback too): time, level, logger, message and the ids, for
    journald or a log collector. The redactor has done its work on the record before."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def install(handlers: Iterable[logging.Handler] | None = None) -> None:
    """Put the redactor on these handlers (the root logger's); what they write is redacted."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)


def use_format(log_format: str) -> None:
    """`json` or `text` on the handlers that carry the redactor."""
    formatter = JsonFormatter() if log_format == "json" else TextFormatter()
    for handler in logging.getLogger().handlers:
        if REDACTOR in handler.filters:
            handler.setFormatter(formatter)
    # A warning of Python's own goes through the log too, instead of a line of its own.
    logging.captureWarnings(log_format == "json")


def configure(settings: Settings) -> None:
    """Once the settings are known: the secrets to hide, whether personal data may be shown,
    and the key of the pseudonyms."""
    global _key
    REDACTOR.personal = settings.log_personal_data
    REDACTOR.forget_secrets()
    _key = secrets.token_bytes(32)  # without a token: pseudonyms of this process only
    token = settings.telegram_token
    if token:
        REDACTOR.keep_secret(token, "<token>")
        REDACTOR.keep_secret(token.split(":", 1)[-1], "<token>")
        webhook_secret = hashlib.sha256(token.encode()).hexdigest()[:48]
        REDACTOR.keep_secret(webhook_secret, "<webhook secret>")
        _key = hashlib.sha256(b"gemeinsam log pseudonyms\0" + token.encode()).digest()
    REDACTOR.keep_secret(settings.signal_account, "<bot's Signal account>")
    REDACTOR.keep_secret(make_url(settings.database_url).password, "<password>")
