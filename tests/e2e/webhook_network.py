"""What stands between Telegram and several bot processes in webhook mode: Telegram delivering
updates to the address set with setWebhook, and a round-robin reverse proxy in front of the
processes' own ports."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import aiohttp
from aiohttp import web

from tests.e2e.telegram_fake import FakeBotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_SECONDS = 0.2


def _chat_of(update: dict[str, Any]) -> int:
    query = update.get("callback_query")
    message = query["message"] if query else update["message"]
    return int(message["chat"]["id"])


class WebhookDelivery:
    """Telegram's side: each update the fake holds is POSTed to `url` (standing in for the https
    address that setWebhook registered) with the registered secret, one at a time per chat and
    chats side by side, again after a pause until it is answered 200; only while a webhook is
    set (a deleteWebhook stops it)."""

    def __init__(self, fake: FakeBotApi, url: str) -> None:
        self.fake = fake
        self.url = url
        self.delivered = 0
        self._in_flight: set[int] = set()
        self._retry_at: dict[int, float] = {}  # id() of an update -> when to post it again
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> WebhookDelivery:
        self._session = aiohttp.ClientSession()
        self._runner = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        self._runner.cancel()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(self._runner, *self._tasks, return_exceptions=True)
        await self._session.close()

    async def _run(self) -> None:
        while True:
            hook = self.fake.webhook
            if hook is not None:
                seen: set[int] = set()
                for update in self.fake.waiting_updates():
                    chat = _chat_of(update)
                    if chat in seen:
                        continue  # an earlier update of this chat goes first
                    seen.add(chat)
                    if chat in self._in_flight or self._retry_at.get(id(update), 0) > time.time():
                        continue
                    self._in_flight.add(chat)
                    task = asyncio.create_task(self._post(update, chat, hook))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(0.01)

    async def _post(self, update: dict[str, Any], chat: int, hook: dict[str, Any]) -> None:
        headers = {SECRET_HEADER: str(hook.get("secret_token", ""))}
        try:
            async with self._session.post(self.url, json=update, headers=headers) as response:
                status = response.status
        except aiohttp.ClientError:
            status = None
        if status == 200:
            self.fake.confirm(update)
            self.delivered += 1
        else:
            self._retry_at[id(update)] = time.time() + RETRY_SECONDS
        self._in_flight.discard(chat)


class RoundRobinProxy:
    """The reverse proxy: each request goes to the next upstream port in turn; one that does not
    take the connection is skipped for the next (as nginx's `proxy_next_upstream error`)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.forwarded: Counter[int] = Counter()
        self._turn = 0
        self.port = 0

    async def __aenter__(self) -> RoundRobinProxy:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._web = web.AppRunner(app, access_log=None)
        await self._web.setup()
        site = web.TCPSite(self._web, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._web.cleanup()
        await self._session.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            name: request.headers[name]
            for name in ("Content-Type", SECRET_HEADER)
            if name in request.headers
        }
        for _ in self.ports:
            port = self.ports[self._turn % len(self.ports)]
            self._turn += 1
            try:
                async with self._session.post(
                    f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers
                ) as response:
                    self.forwarded[port] += 1
                    return web.Response(status=response.status, body=await response.read())
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502)
