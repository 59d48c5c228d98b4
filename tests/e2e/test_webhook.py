"""Webhook mode: with WEBHOOK_URL set, the bot registers the webhook and answers what Telegram
posts to it (with the secret token), and refuses posts without it."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from dataclasses import replace

import httpx

from bot.app import App
from bot.settings import Settings
from tests.e2e.conftest import ALICE
from tests.e2e.telegram_fake import FakeBotApi


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_arrive_by_webhook(telegram_settings: Settings, fake: FakeBotApi) -> None:
    port = free_port()
    settings = replace(
        telegram_settings,
        webhook_url="https://bot.example.org/telegram-hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    app = App(settings)
    await app.migrate()
    stop = asyncio.Event()
    task = asyncio.create_task(app.run_channels(stop))
    try:
        await fake.wait_until(lambda: any(r.method == "setWebhook" for r in fake.requests))
        [hook] = [r for r in fake.requests if r.method == "setWebhook"]
        assert hook.params["url"] == "https://bot.example.org/telegram-hook"
        secret = hashlib.sha256(fake.token.encode()).hexdigest()[:48]
        assert hook.params["secret_token"] == secret
        update = {
            "update_id": 5,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "/start",
                "chat": {"id": ALICE, "type": "private", "first_name": "Alia"},
                "from": {"id": ALICE, "is_bot": False, "first_name": "Alia", "language_code": "ar"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram-hook"
        async with httpx.AsyncClient() as client:
            for _ in range(50):  # the server may need a moment
                try:
                    refused = await client.post(url, json=update)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            assert refused.status_code == 403
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            assert accepted.status_code == 200
        [greeting] = await fake.wait_for_messages(ALICE, 1)
        assert len(greeting.button_labels()) == 6
        assert not any(r.method == "getUpdates" for r in fake.requests)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await app.close()
