"""Configuration from the environment (see README), checked once at start with one-line errors."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.languages import LANGUAGE_CODES
from conversations.people.ports import Contact, PrivacyTerms, Retention

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/gemeinsam.sqlite3"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
CHANNELS = ("telegram", "console", "signal", "memory")
_PHONE = re.compile(r"\+[1-9]\d{6,14}")  # international form, as Signal knows numbers
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ADDRESS = re.compile(r"^(?P<channel>[a-z]+):(?P<id>[A-Za-z0-9_+.@-]+)$")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}")
# Who answers for the data: the district (the controller) and its data-protection officer.
DISTRICT_ADDRESS = "Putlitzer Straße 25, 19370 Parchim"
DEFAULT_CONTROLLER = Contact("Landkreis Ludwigslust-Parchim", DISTRICT_ADDRESS, "info@kreis-lup.de")
DEFAULT_DPO = Contact(
    "Datenschutzbeauftragte des Landkreises Ludwigslust-Parchim",
    DISTRICT_ADDRESS,
    "datenschutz@kreis-lup.de",
)


class ConfigError(ValueError):
    """A bad setting; the message is one line naming the variable and what is wrong."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None = None
    telegram_api_base_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admins: frozenset[str] = field(default_factory=frozenset)
    default_locale: str = "de"
    timezone: str = "Europe/Berlin"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    meeting_reminder_hours: tuple[int, ...] = (24, 2)
    # One person's messages: this many a minute on average, this many at once (0: no limit).
    flood_per_minute: int = 20
    flood_burst: int = 10
    signal_account: str | None = None
    signal_cli_url: str | None = None
    # Announcements and reminders on Signal: at most this many messages a minute, as Signal
    # answers bulk sending with rate limits and captchas (replies in a conversation go at once).
    signal_per_minute: int = 20
    # Telegram's limits per bot token: messages a second in all, a second to one chat, a minute
    # to one group. Replies go at once; announcements and reminders take what replies leave,
    # and always leave `outbox_reply_share` of the allowance free for replies.
    telegram_per_second: float = 30.0
    telegram_per_chat_per_second: float = 1.0
    telegram_group_per_minute: float = 20.0
    outbox_reply_share: float = 0.2
    # Where the Signal channel keeps what it received while the database could not take it.
    signal_spool: Path = Path("data/signal-spool.jsonl")
    # Troubleshooting only: logs show addresses, e-mails, numbers and SQL parameters.
    log_personal_data: bool = False
    privacy_controller: Contact = DEFAULT_CONTROLLER
    privacy_dpo: Contact = DEFAULT_DPO
    retention: Retention = field(default_factory=Retention)
    # When staff work (Monday is 0), in `timezone`; public holidays of Mecklenburg-Vorpommern
    # are never working days. Answers are promised, and late ones reminded, in this time.
    working_days: frozenset[int] = frozenset(range(5))
    working_hours: tuple[time, time] = (time(8), time(16))
    # Questions to the office (/ask): answered within this many working days; at most this many
    # waiting per person.
    ask_answer_days: int = 3
    ask_max_open: int = 3
    # Health and metrics over HTTP (`/healthz`, `/metrics`) when a port is set; loopback unless
    # a container needs 0.0.0.0.
    metrics_port: int | None = None
    metrics_listen: str = "127.0.0.1"
    log_format: str = "text"  # or "json": one JSON object a line
    # Administrators are told in the chat when replies wait longer than this, or a scheduled job
    # failed this many times in a row (and again when it is over).
    alert_reply_wait_seconds: int = 120
    alert_job_failures: int = 3
    # Several processes on one PostgreSQL: the one holding the scheduler's lease runs the jobs;
    # another takes over this many seconds after it died.
    scheduler_lease_seconds: int = 30

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def privacy_terms(self) -> PrivacyTerms:
        return PrivacyTerms(self.privacy_controller, self.privacy_dpo, self.retention)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            telegram_token=_token(get("TELEGRAM_BOT_TOKEN")),
            telegram_api_base_url=_base_url(get("TELEGRAM_API_BASE_URL")),
            database_url=parse_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            admins=parse_addresses(get("BOT_ADMINS") or "", variable="BOT_ADMINS"),
            default_locale=_locale(get("DEFAULT_LOCALE") or "de"),
            timezone=_timezone(get("TIMEZONE") or "Europe/Berlin"),
            webhook_url=_webhook_url(get("WEBHOOK_URL")),
            webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=_port(get("WEBHOOK_PORT") or "8443", "WEBHOOK_PORT") or 8443,
            meeting_reminder_hours=_hours(get("MEETING_REMINDER_HOURS") or "24,2"),
            flood_per_minute=_count("FLOOD_MESSAGES_PER_MINUTE", get, default=20),
            flood_burst=_count("FLOOD_BURST", get, default=10, minimum=1),
            signal_account=_signal_account(get("SIGNAL_ACCOUNT"), get("SIGNAL_CLI_URL")),
            signal_cli_url=_signal_url(get("SIGNAL_CLI_URL"), get("SIGNAL_ACCOUNT")),
            signal_per_minute=_count("SIGNAL_MESSAGES_PER_MINUTE", get, default=20, minimum=1),
            signal_spool=Path(get("SIGNAL_SPOOL") or "data/signal-spool.jsonl"),
            telegram_per_second=_rate("TELEGRAM_MESSAGES_PER_SECOND", get, default=30.0),
            telegram_per_chat_per_second=_rate("TELEGRAM_PER_CHAT_PER_SECOND", get, default=1.0),
            telegram_group_per_minute=_rate("TELEGRAM_GROUP_PER_MINUTE", get, default=20.0),
            outbox_reply_share=_share("OUTBOX_REPLY_SHARE", get, default=0.2),
            log_personal_data=_flag("LOG_PERSONAL_DATA", get("LOG_PERSONAL_DATA")),
            privacy_controller=_contact("PRIVACY_CONTROLLER", get, DEFAULT_CONTROLLER),
            privacy_dpo=_contact("PRIVACY_DPO", get, DEFAULT_DPO),
            retention=_retention(get),
            working_days=_working_days(get("WORKING_DAYS") or "Mon-Fri"),
            working_hours=_working_hours(get("WORKING_HOURS") or "08:00-16:00"),
            ask_answer_days=_count("ASK_ANSWER_DAYS", get, default=3, minimum=1),
            ask_max_open=_count("ASK_MAX_OPEN", get, default=3, minimum=1),
            metrics_port=_port(get("METRICS_PORT"), "METRICS_PORT"),
            metrics_listen=get("METRICS_LISTEN") or "127.0.0.1",
            log_format=_log_format(get("LOG_FORMAT") or "text"),
            alert_reply_wait_seconds=_count(
                "ALERT_REPLY_WAIT_SECONDS", get, default=120, minimum=1
            ),
            alert_job_failures=_count("ALERT_JOB_FAILURES", get, default=3, minimum=1),
            scheduler_lease_seconds=_count("SCHEDULER_LEASE_SECONDS", get, default=30, minimum=3),
        )


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


def _token(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{5,}", value):
        raise ConfigError("TELEGRAM_BOT_TOKEN: not a bot token (expected 123456:ABC-DEF…)")
    return value


def _base_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://", value):
        raise ConfigError(f"TELEGRAM_API_BASE_URL: {value!r} is not an http(s) URL")
    return value


def _webhook_url(value: str | None) -> str | None:
    if value is not None and not value.startswith("https://"):
        raise ConfigError(f"WEBHOOK_URL: {value!r} must be an https:// URL that Telegram can reach")
    return value


def _signal_account(value: str | None, url: str | None) -> str | None:
    if value is None:
        if url is not None:
            raise ConfigError("SIGNAL_ACCOUNT: not set, but SIGNAL_CLI_URL is; set both or neither")
        return None
    if not (_PHONE.fullmatch(value) or _UUID.fullmatch(value)):
        raise ConfigError(
            f"SIGNAL_ACCOUNT: {value!r} is not a phone number in international form (+49…)"
        )
    return value


def _signal_url(value: str | None, account: str | None) -> str | None:
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


def _locale(value: str) -> str:
    if value not in LANGUAGE_CODES:
        raise ConfigError(f"DEFAULT_LOCALE: {value!r} is not one of {', '.join(LANGUAGE_CODES)}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE: {value!r} is not a known time zone") from None
    return value


def _port(value: str | None, variable: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{variable}: {value!r} is not a port number")
    return int(value)


def _log_format(value: str) -> str:
    if value.lower() not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT: {value!r} is not text or json")
    return value.lower()


def _count(
    variable: str, get: Callable[[str], str | None], *, default: int, minimum: int = 0
) -> int:
    value = get(variable)
    if value is None:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ConfigError(f"{variable}: {value!r} is not a whole number of at least {minimum}")
    return int(value)


def _rate(variable: str, get: Callable[[str], str | None], *, default: float) -> float:
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


def _share(variable: str, get: Callable[[str], str | None], *, default: float) -> float:
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


def _contact(prefix: str, get: Callable[[str], str | None], default: Contact) -> Contact:
    """`<prefix>_NAME`, `_ADDRESS` and `_EMAIL`, each falling back to the district's own."""
    email = get(f"{prefix}_EMAIL") or default.email
    if not _EMAIL.fullmatch(email):
        raise ConfigError(f"{prefix}_EMAIL: {email!r} is not an e-mail address")
    return Contact(
        name=get(f"{prefix}_NAME") or default.name,
        address=get(f"{prefix}_ADDRESS") or default.address,
        email=email,
    )


def _retention(get: Callable[[str], str | None]) -> Retention:
    default = Retention()
    return Retention(
        unfinished_signup_days=_count(
            "RETAIN_UNFINISHED_SIGNUP_DAYS", get, default=default.unfinished_signup_days, minimum=1
        ),
        draft_days=_count("RETAIN_DRAFT_DAYS", get, default=default.draft_days, minimum=1),
        unreachable_days=_count(
            "RETAIN_UNREACHABLE_DAYS", get, default=default.unreachable_days, minimum=1
        ),
        # A reminder goes out once because its row is kept: at least as long as its week lasts.
        outbox_days=_count("RETAIN_OUTBOX_DAYS", get, default=default.outbox_days, minimum=7),
        questions_days=_count(
            "RETAIN_QUESTIONS_DAYS", get, default=default.questions_days, minimum=1
        ),
    )


def _flag(variable: str, value: str | None) -> bool:
    if value is None or value.lower() in ("0", "false", "no", "off"):
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{variable}: {value!r} is not true or false")


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})")


def _working_days(value: str) -> frozenset[int]:
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


def _working_hours(value: str) -> tuple[time, time]:
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


def _hours(value: str) -> tuple[int, ...]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 0 < int(part) <= 24 * 14 for part in parts):
        raise ConfigError(f"MEETING_REMINDER_HOURS: {value!r} is not a list of hours like 24,2")
    return tuple(sorted({int(part) for part in parts}, reverse=True))
