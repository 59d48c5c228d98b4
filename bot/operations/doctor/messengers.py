"""`doctor` on the messengers: the Bot API knows the token and where the webhook stands, the
signal-cli daemon answers. Read-only: nothing is set or deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.channels.signal.daemon import DaemonUnavailable, SignalDaemon, SignalError
from bot.channels.telegram.channel import file_url_for
from bot.operations.doctor.findings import Finding, fail, ok, skip
from bot.settings import Settings

# A webhook error older than this is history, not a problem now.
RECENT_ERROR = timedelta(hours=1)
TELEGRAM = "telegram"
SIGNAL = "signal"


async def telegram(settings: Settings) -> list[Finding]:
    token = settings.telegram_token
    if not token:
        return [skip(TELEGRAM, "TELEGRAM_BOT_TOKEN is not set (the bot does not use Telegram)")]
    base_url = settings.telegram_api_base_url
    bot = Bot(
        token,
        base_url=base_url or "https://api.telegram.org/bot",
        base_file_url=file_url_for(base_url) if base_url else "https://api.telegram.org/file/bot",
    )
    where = base_url or "Telegram's Bot API"
    try:
        async with bot:  # initialising it asks getMe
            me = bot.bot
            info = await bot.get_webhook_info()
    except InvalidToken:
        return [
            fail(
                TELEGRAM,
                "the Bot API does not accept TELEGRAM_BOT_TOKEN: copy the token "
                "again from @BotFather (/mybots → API Token)",
            ),
        ]
    except TelegramError as error:
        return [fail(TELEGRAM, f"{where} does not answer: {_said(error, token)}")]
    findings = [ok(TELEGRAM, f"getMe: the token belongs to @{me.username} (id {me.id})")]
    findings.append(
        _webhook(
            settings,
            info.url,
            info.pending_update_count,
            info.last_error_date,
            info.last_error_message,
        )
    )
    return findings


def _webhook(
    settings: Settings,
    url: str,
    pending: int,
    error_date: datetime | None,
    error: str | None,
) -> Finding:
    subject = "telegram webhook"
    waiting = f"{pending} updates waiting at Telegram"
    if error and error_date is not None and datetime.now(UTC) - error_date < RECENT_ERROR:
        return fail(
            subject,
            f"Telegram's last delivery to {url or 'the webhook'} failed at "
            f"{error_date:%Y-%m-%d %H:%M} UTC: {error}; check that the reverse proxy passes "
            f"WEBHOOK_URL to WEBHOOK_LISTEN:WEBHOOK_PORT and the bot runs ({waiting})",
        )
    if not settings.webhook_url:
        if url:
            return ok(
                subject,
                f"set to {url}, but WEBHOOK_URL is not: the bot removes it "
                f"and polls when it starts ({waiting})",
            )
        return ok(subject, f"none: the bot polls (long polling), {waiting}")
    if not url:
        return ok(subject, f"not set yet: the bot sets {settings.webhook_url} when it starts")
    if url != settings.webhook_url:
        return fail(
            subject,
            f"Telegram sends updates to {url}, but WEBHOOK_URL is {settings.webhook_url}: "
            "start the bot with the right WEBHOOK_URL (it sets the webhook when it starts)",
        )
    return ok(subject, f"Telegram sends updates to {url}, {waiting}, no recent error")


def _said(error: TelegramError, token: str) -> str:
    return f"{type(error).__name__}: {error}".replace(token, "<token>")


async def signal(settings: Settings) -> list[Finding]:
    if not (settings.signal_account and settings.signal_cli_url):
        return [skip(SIGNAL, "SIGNAL_ACCOUNT and SIGNAL_CLI_URL are not set (no Signal)")]
    url = settings.signal_cli_url
    daemon = SignalDaemon(url)
    try:
        if not await daemon.check():
            return [
                fail(
                    SIGNAL,
                    f"the signal-cli daemon at SIGNAL_CLI_URL={url} does not answer: "
                    "start it (`signal-cli -a NUMBER daemon --http HOST:PORT --receive-mode "
                    "on-connection`, see the README) or correct SIGNAL_CLI_URL",
                ),
            ]
        try:
            version = await daemon.call("version")
        except (DaemonUnavailable, SignalError) as error:
            return [
                fail(
                    SIGNAL,
                    f"the daemon at {url} answers /api/v1/check, but not JSON-RPC: "
                    f"{error}; is it signal-cli started with --http?",
                )
            ]
    finally:
        await daemon.close()
    named = version.get("version") if isinstance(version, dict) else None
    return [ok(SIGNAL, f"signal-cli {named or '(version unknown)'} answers at {url}")]
