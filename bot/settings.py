"""Configuration from the environment (see README), checked once at start with one-line errors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import settings_values as read
from conversations.people.ports import Contact, PrivacyTerms, Retention

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/gemeinsam.sqlite3"
# Who answers for the data: the district (the controller) and its data-protection officer.
DISTRICT_ADDRESS = "Putlitzer Straße 25, 19370 Parchim"
DEFAULT_CONTROLLER = Contact("Landkreis Ludwigslust-Parchim", DISTRICT_ADDRESS, "info@kreis-lup.de")
DEFAULT_DPO = Contact(
    "Datenschutzbeauftragte des Landkreises Ludwigslust-Parchim",
    DISTRICT_ADDRESS,
    "datenschutz@kreis-lup.de",
)


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
            telegram_token=read.token(get("TELEGRAM_BOT_TOKEN")),
            telegram_api_base_url=read.base_url(get("TELEGRAM_API_BASE_URL")),
            database_url=read.parse_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            admins=read.parse_addresses(get("BOT_ADMINS") or "", variable="BOT_ADMINS"),
            default_locale=read.locale(get("DEFAULT_LOCALE") or "de"),
            timezone=read.timezone(get("TIMEZONE") or "Europe/Berlin"),
            webhook_url=read.webhook_url(get("WEBHOOK_URL")),
            webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=read.port(get("WEBHOOK_PORT") or "8443", "WEBHOOK_PORT") or 8443,
            meeting_reminder_hours=read.hours(get("MEETING_REMINDER_HOURS") or "24,2"),
            flood_per_minute=read.count("FLOOD_MESSAGES_PER_MINUTE", get, default=20),
            flood_burst=read.count("FLOOD_BURST", get, default=10, minimum=1),
            signal_account=read.signal_account(get("SIGNAL_ACCOUNT"), get("SIGNAL_CLI_URL")),
            signal_cli_url=read.signal_url(get("SIGNAL_CLI_URL"), get("SIGNAL_ACCOUNT")),
            signal_per_minute=read.count("SIGNAL_MESSAGES_PER_MINUTE", get, default=20, minimum=1),
            signal_spool=Path(get("SIGNAL_SPOOL") or "data/signal-spool.jsonl"),
            telegram_per_second=read.rate("TELEGRAM_MESSAGES_PER_SECOND", get, default=30.0),
            telegram_per_chat_per_second=read.rate(
                "TELEGRAM_PER_CHAT_PER_SECOND", get, default=1.0
            ),
            telegram_group_per_minute=read.rate("TELEGRAM_GROUP_PER_MINUTE", get, default=20.0),
            outbox_reply_share=read.share("OUTBOX_REPLY_SHARE", get, default=0.2),
            log_personal_data=read.flag("LOG_PERSONAL_DATA", get("LOG_PERSONAL_DATA")),
            privacy_controller=read.contact("PRIVACY_CONTROLLER", get, DEFAULT_CONTROLLER),
            privacy_dpo=read.contact("PRIVACY_DPO", get, DEFAULT_DPO),
            retention=read.retention(get),
            working_days=read.working_days(get("WORKING_DAYS") or "Mon-Fri"),
            working_hours=read.working_hours(get("WORKING_HOURS") or "08:00-16:00"),
            ask_answer_days=read.count("ASK_ANSWER_DAYS", get, default=3, minimum=1),
            ask_max_open=read.count("ASK_MAX_OPEN", get, default=3, minimum=1),
            metrics_port=read.port(get("METRICS_PORT"), "METRICS_PORT"),
            metrics_listen=get("METRICS_LISTEN") or "127.0.0.1",
            log_format=read.log_format(get("LOG_FORMAT") or "text"),
            alert_reply_wait_seconds=read.count(
                "ALERT_REPLY_WAIT_SECONDS", get, default=120, minimum=1
            ),
            alert_job_failures=read.count("ALERT_JOB_FAILURES", get, default=3, minimum=1),
            scheduler_lease_seconds=read.count(
                "SCHEDULER_LEASE_SECONDS", get, default=30, minimum=3
            ),
        )
