"""`doctor` asks the Bot API (getMe, getWebhookInfo) and the signal-cli daemon, read-only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.operations.doctor import examine
from tests.e2e.signal_fake import FakeSignalDaemon
from tests.e2e.telegram_fake import FakeBotApi


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    return url


def said(findings: list, subject: str) -> list[str]:  # type: ignore[type-arg]
    return [f.line() for f in findings if f.subject.startswith(subject)]


async def test_the_bot_api_knows_the_token_and_the_webhook(fake: FakeBotApi, migrated: str) -> None:
    env = {
        "DATABASE_URL": migrated,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }
    assert said(await examine(env), "telegram") == [
        "ok    telegram: getMe: the token belongs to @gemeinsam_test_bot (id 123456)",
        "ok    telegram webhook: none: the bot polls (long polling), 0 updates waiting at Telegram",
    ]
    assert {r.method for r in fake.requests} == {"getMe", "getWebhookInfo"}

    hook = "https://bot.example.org/telegram-hook"
    fake.webhook_info = {
        "url": hook,
        "pending_update_count": 12,
        "last_error_date": int(time.time()) - 60,
        "last_error_message": "Connection refused",
    }
    [_, webhook] = said(await examine({**env, "WEBHOOK_URL": hook}), "telegram")
    assert webhook.startswith(f"FAIL  telegram webhook: Telegram's last delivery to {hook} failed")
    assert "Connection refused; check that the reverse proxy passes WEBHOOK_URL" in webhook
    assert webhook.endswith("(12 updates waiting at Telegram)")

    fake.webhook_info = {"url": "https://old.example.org/hook"}
    [_, webhook] = said(await examine({**env, "WEBHOOK_URL": hook}), "telegram")
    assert webhook.startswith(
        f"FAIL  telegram webhook: Telegram sends updates to https://old.example.org/hook, "
        f"but WEBHOOK_URL is {hook}"
    )


async def test_a_token_the_bot_api_refuses_is_a_failure_without_the_token(
    fake: FakeBotApi, migrated: str
) -> None:
    token = "654321:not-the-right-token"
    env = {
        "DATABASE_URL": migrated,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
    }
    findings = await examine(env)
    assert said(findings, "telegram") == [
        "FAIL  telegram: the Bot API does not accept TELEGRAM_BOT_TOKEN: copy the token again "
        "from @BotFather (/mybots → API Token)"
    ]
    assert "not-the-right" not in "\n".join(f.line() for f in findings)


async def test_the_signal_daemon_answers_or_is_named(migrated: str) -> None:
    async with FakeSignalDaemon() as daemon:
        env = {
            "DATABASE_URL": migrated,
            "SIGNAL_ACCOUNT": daemon.account,
            "SIGNAL_CLI_URL": daemon.url,
        }
        assert said(await examine(env), "signal") == [
            f"ok    signal: signal-cli 0.14.6 answers at {daemon.url}"
        ]
        await daemon.go_away()
        [line] = said(await examine(env), "signal")
    assert line.startswith(
        f"FAIL  signal: the signal-cli daemon at SIGNAL_CLI_URL={daemon.url} does not answer: "
        "start it"
    )
