"""How each setting's value is read from the environment and checked (`bot/settings.py`): a
bad one stops the start with one line that names the variable and what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.languages import LANGUAGE_CODES
from conversations.people.ports import Contact, Retention

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
CHANNELS = ("telegram", "console", "signal", "memory")
_PHONE = re.compile(r"\+[1-9]\d{6,14}")  # international form, as Signal knows numbers
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ADDRESS = re.compile(r"^(?P<channel>[a-z]+):(?P<id>[A-Za-z0-9_+.@-]+)$")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}")


class ConfigError(ValueError):
    """A bad setting; the message is one line naming the variable and what is wrong."""


def parse_address(value: str, *, variable: str = "address") -> tuple[str, str]:
    """`telegram:12345` -> ("telegram", "12345")."""
    match = _ADDRESS.match(value.strip())
    if not match or match["channel"] not in CHANNELS:
        raise ConfigError(
            f"{variable}: {value.strip()!r} is not of the form CHANNEL:ID, e.g. telegram:12345 "
            f"(channels: {', '.join(CHANNELS)})"
        )
    if match["channel"] == "telegram" and not match["id"].lstrip("-").isdigit():
        raise ConfigError(f"{variable}: {value.strip()!r}: a Telegram ID is a number")
    if match["channel"] == "signal":
        identifier = match["id"]
        if _UUID.fullmatch(identifier):
            return "signal", identifier.lower()
        if not _PHONE.fullmatch(identifier):
            raise ConfigError(
                f"{variable}: {value.strip()!r}: a Signal ID is the person's UUID or their "
                "number in international form (+49…)"
            )
    return match["channel"], match["id"]


def parse_addresses(value: str, *, variable: str) -> frozenset[str]:
    entries = [entry for entry in value.split(",") if entry.strip()]
    return frozenset(":".join(parse_address(entry, variable=variable)) for entry in entries)


def parse_database_url(url: str) -> str:
    driver = url.split("://", 1)[0] if "://" in url else ""
    if driver == "postgresql":
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if driver not in SUPPORTED_DRIVERS:
        raise ConfigError(
            f"DATABASE_URL: unsupported database {driver or url!r}; use "
            "sqlite+aiosqlite:///path/to/file.sqlite3 or postgresql+asyncpg://user@host/db"
        )
    return url


def token(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{5,}", value):
        raise ConfigError("TELEGRAM_BOT_TOKEN: not a bot token (expected 123456:ABC-DEF…)")
    return value


def base_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://", value):
        raise ConfigError(f"TELEGRAM_API_BASE_URL: {value!r} is not an http(s) URL")
    return value


def webhook_url(value: str | None) -> str | None:
    if value is not None and not value.startswith("https://"):
        raise ConfigError(f"WEBHOOK_URL: {value!r} must be an https:// URL that Telegram can reach")
    return value


def signal_account(value: str | None, url: str | None) -> str | None:
    if value is None:
        if url is not None:
            raise ConfigError("SIGNAL_ACCOUNT: not set, but SIGNAL_CLI_URL is; set both or neither")
        return None
    if not (_PHONE.fullmatch(value) or _UUID.fullmatch(value)):
        raise ConfigError(
            f"SIGNAL_ACCOUNT: {value!r} is not a phone number in international form (+49…)"
        )
    return value


def signal_url(value: str | None, account: str | None) -> str | None:
    if value is None:
        if account is not None:
            raise ConfigError("SIGNAL_CLI_URL: not set, but SIGNAL_ACCOUNT is; set both or neither")
        return None
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(
            f"SIGNAL_CLI_URL: {value!r} is not the http:// address of a signal-cli daemon "
            "(started with --http HOST:PORT), e.g. http://127.0.0.1:8080"
        )
    return value.rstrip("/")


def locale(value: str) -> str:
    if value not in LANGUAGE_CODES:
        raise ConfigError(f"DEFAULT_LOCALE: {value!r} is not one of {', '.join(LANGUAGE_CODES)}")
    return value


def timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE: {value!r} is not a known time zone") from None
    return value


def port(value: str | None, variable: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{variable}: {value!r} is not a port number")
    return int(value)


def log_format(value: str) -> str:
    if value.lower() not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT: {value!r} is not text or json")
    return value.lower()


def count(
    variable: str, get: Callable[[str], str | None], *, default: int, minimum: int = 0
) -> int:
    value = get(variable)
    if value is None:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ConfigError(f"{variable}: {value!r} is not a whole number of at least {minimum}")
    return int(value)


def rate(variable: str, get: Callable[[str], str | None], *, default: float) -> float:
    value = get(variable)
    if value is None:
        return default
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 < rate < float("inf"):
        raise ConfigError(f"{variable}: {value!r} is not a number of messages above 0")
    return rate


def share(variable: str, get: Callable[[str], str | None], *, default: float) -> float:
    """A fraction below 1 (0.2) or a percentage (20%)."""
    value = get(variable)
    if value is None:
        return default
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share < 1:
        raise ConfigError(
            f"{variable}: {value!r} is not a share of at least 0 and below 1 (e.g. 0.2 or 20%)"
        )
    return share


def contact(prefix: str, get: Callable[[str], str | None], default: Contact) -> Contact:
    """`<prefix>_NAME`, `_ADDRESS` and `_EMAIL`, each falling back to the district's own."""
    email = get(f"{prefix}_EMAIL") or default.email
    if not _EMAIL.fullmatch(email):
        raise ConfigError(f"{prefix}_EMAIL: {email!r} is not an e-mail address")
    return Contact(
        name=get(f"{prefix}_NAME") or default.name,
        address=get(f"{prefix}_ADDRESS") or default.address,
        email=email,
    )


def retention(get: Callable[[str], str | None]) -> Retention:
    default = Retention()
    return Retention(
        unfinished_signup_days=count(
            "RETAIN_UNFINISHED_SIGNUP_DAYS", get, default=default.unfinished_signup_days, minimum=1
        ),
        draft_days=count("RETAIN_DRAFT_DAYS", get, default=default.draft_days, minimum=1),
        unreachable_days=count(
            "RETAIN_UNREACHABLE_DAYS", get, default=default.unreachable_days, minimum=1
        ),
        # A reminder goes out once because its row is kept: at least as long as its week lasts.
        outbox_days=count("RETAIN_OUTBOX_DAYS", get, default=default.outbox_days, minimum=7),
        questions_days=count(
            "RETAIN_QUESTIONS_DAYS", get, default=default.questions_days, minimum=1
        ),
    )


def flag(variable: str, value: str | None) -> bool:
    if value is None or value.lower() in ("0", "false", "no", "off"):
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{variable}: {value!r} is not true or false")


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})")


def working_days(value: str) -> frozenset[int]:
    """`Mon-Fri`, `Mon,Tue,Thu` or `Mon-Thu,Sat` -> the weekdays (Monday 0)."""
    days: set[int] = set()
    for part in (part.strip() for part in value.split(",") if part.strip()):
        first, _, last = (end.strip().lower() for end in part.partition("-"))
        if first not in _WEEKDAYS or (last and last not in _WEEKDAYS):
            raise ConfigError(
                f"WORKING_DAYS: {value!r} is not a list of weekdays like Mon-Fri or Mon,Tue,Thu"
            )
        start, end = _WEEKDAYS.index(first), _WEEKDAYS.index(last or first)
        if end < start:
            raise ConfigError(f"WORKING_DAYS: {part!r} runs backwards; write it from Monday on")
        days.update(range(start, end + 1))
    if not days:
        raise ConfigError("WORKING_DAYS: no weekday given (e.g. Mon-Fri)")
    return frozenset(days)


def working_hours(value: str) -> tuple[time, time]:
    """`08:00-16:00` -> (opens, closes), local times."""
    match = _HOURS.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        opens, closes = (time.fromisoformat(match[end].zfill(5)) for end in ("opens", "closes"))
    except ValueError:
        raise ConfigError(f"WORKING_HOURS: {value!r} is not a time span like 08:00-16:00") from None
    if closes <= opens:
        raise ConfigError(f"WORKING_HOURS: {value!r} ends before it begins")
    return opens, closes


def hours(value: str) -> tuple[int, ...]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 0 < int(part) <= 24 * 14 for part in parts):
        raise ConfigError(f"MEETING_REMINDER_HOURS: {value!r} is not a list of hours like 24,2")
    return tuple(sorted({int(part) for part in parts}, reverse=True))
