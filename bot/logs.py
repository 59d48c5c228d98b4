"""What the logs may say: people appear as pseudonyms, secrets never, and personal data that
slips into a message or a traceback (an e-mail, a phone number, a chat id) is struck out,
unless `LOG_PERSONAL_DATA` asks for it while troubleshooting."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable

from sqlalchemy.engine import make_url

from bot.settings import Settings

PERSONAL_DATA_VARIABLE = "LOG_PERSONAL_DATA"

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


def install(handlers: Iterable[logging.Handler] | None = None) -> None:
    """Put the redactor on these handlers (the root logger's); what they write is redacted."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)


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
