"""`/healthz` and `/metrics` over plain HTTP (METRICS_LISTEN:METRICS_PORT), served by
prometheus-client's threaded WSGI server. The answers come from the bot's own event loop: the
health of its channels and database, and the database's figures read at scrape time."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

from bot.db.session import Database
from bot.monitoring.health import PROBE_SECONDS, Health
from bot.monitoring.metrics import Figures, read_figures
from bot.settings import Settings
from conversations.ports import Clock

log = logging.getLogger(__name__)
FIGURES_SECONDS = 2.0  # a scrape while the database is away answers in about this time
T = TypeVar("T")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def serve_metrics(
    settings: Settings, health: Health, database: Database, clock: Clock
) -> MetricsServer | None:
    """Started with the channels when METRICS_PORT is set."""
    if settings.metrics_port is None:
        return None
    server = MetricsServer(
        health=health,
        database=database,
        clock=clock,
        listen=settings.metrics_listen,
        port=settings.metrics_port,
    )
    server.start()
    return server


class MetricsServer:
    def __init__(
        self, *, health: Health, database: Database, clock: Clock, listen: str, port: int
    ) -> None:
        self.health = health
        self.database = database
        self.clock = clock
        self.address = (listen, port)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.registry = CollectorRegistry()
        self.registry.register(_Everything(self))
        self._metrics = make_wsgi_app(self.registry)
        self._server: ThreadingWSGIServer | None = None

    def start(self) -> None:
        """Listen (in a thread of its own); a port in use stops the start with the error."""
        self.loop = asyncio.get_running_loop()
        listen, port = self.address

        class Server(ThreadingWSGIServer):
            address_family = socket.getaddrinfo(listen, port, type=socket.SOCK_STREAM)[0][0]

        self._server = make_server(listen, port, self._app, Server, handler_class=_Quiet)
        threading.Thread(
            target=self._server.serve_forever, name="metrics-server", daemon=True
        ).start()
        log.info("Health and metrics at http://%s:%s/healthz and /metrics", listen, port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await asyncio.to_thread(server.shutdown)
            server.server_close()

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return self._metrics(environ, start_response)  # type: ignore[no-any-return]
        if path != "/healthz":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"/healthz or /metrics\n"]
        try:
            problem = self.on_loop(self.health.problem(), timeout=PROBE_SECONDS + 2)
        except Exception as error:  # the loop is stopping, or too busy to answer
            problem = f"no answer from the bot ({type(error).__name__})"
        status = "200 OK" if problem is None else "503 Service Unavailable"
        start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
        return [f"{problem or 'ok'}\n".encode()]

    def on_loop(self, coroutine: Coroutine[Any, Any, T], *, timeout: float) -> T:
        """Run a coroutine on the bot's loop from a server thread, and wait for its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def figures(self) -> Figures:
        async def read() -> Figures:
            async with self.database.transaction() as session:
                return await read_figures(session, now=self.clock.now())

        return await asyncio.wait_for(read(), FIGURES_SECONDS)


class _Everything(Collector):
    """The process's counters (the default registry), and the database's figures, read now."""

    def __init__(self, server: MetricsServer) -> None:
        self.server = server

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
        up = GaugeMetricFamily(
            "gemeinsam_database_up", "1 when the database's figures could be read just now"
        )
        try:
            figures = self.server.on_loop(self.server.figures(), timeout=FIGURES_SECONDS + 1)
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _families(figures)


def _families(figures: Figures) -> Iterator[Metric]:
    yield _counted("gemeinsam_inbox_messages", "Inbox rows by status", ["status"], figures.inbox)
    yield _counted(
        "gemeinsam_outbox_messages",
        "Outbox rows by status and priority (reply or announcement)",
        ["status", "priority"],
        figures.outbox,
    )
    yield GaugeMetricFamily(
        "gemeinsam_reply_wait_seconds",
        "How long the person waiting longest for an answer has waited (0: nobody waits)",
        value=figures.reply_wait_seconds,
    )
    yield _counted(
        "gemeinsam_people", "People by role and region", ["role", "region"], figures.people
    )
    yield _counted(
        "gemeinsam_questions",
        "Questions to the office by status (open and taken wait for an answer)",
        ["status"],
        figures.questions,
    )
    yield _counted(
        "gemeinsam_applications",
        "Applications by status (submitted wait for a decision)",
        ["status"],
        figures.applications,
    )


def _counted(
    name: str, documentation: str, labels: list[str], counts: Mapping[Any, int]
) -> GaugeMetricFamily:
    """A gauge of `counts`, keyed by one label's value or a tuple of them, in a stable order."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for key, count in sorted(counts.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], count)
    return family


class _Quiet(WSGIRequestHandler):
    """No line per request in the log."""

    def log_message(self, format: str, *args: Any) -> None:
        pass
