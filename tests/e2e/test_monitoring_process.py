"""`python -m bot run` with METRICS_PORT: `/healthz` says whether it does its work, `/metrics`
what it did, in Prometheus' text format; a database that goes away turns the health to 503 with
the reason, and back to 200 when it returns."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from tests.e2e.conftest import ALICE
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_outage import answer, outage_for
from tests.e2e.test_process import bot_process
from tests.e2e.test_webhook import free_port


async def health_until(
    client: httpx.AsyncClient, port: int, status: int, log: Path, *, timeout: float = 60
) -> str:
    """Ask /healthz until it answers `status`; its text then."""
    deadline = time.monotonic() + timeout
    seen = "no answer"
    while True:
        try:
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
            if response.status_code == status:
                return response.text
            seen = f"{response.status_code} {response.text}"
        except httpx.TransportError as error:  # not listening yet
            seen = repr(error)
        assert time.monotonic() < deadline, f"/healthz never {status}: {seen}\n{log.read_text()}"
        await asyncio.sleep(0.2)


async def samples(
    client: httpx.AsyncClient, port: int
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """/metrics parsed by prometheus-client's own parser: (name, labels) -> value."""
    response = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain"), response.headers
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    figures: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return figures.get((name, frozenset(labels.items())), 0.0)


async def test_the_process_serves_its_health_and_its_metrics(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    log = tmp_path / "bot.log"
    port = free_port()
    async with (
        bot_process(fake, url, log, METRICS_PORT=str(port)),
        httpx.AsyncClient(timeout=30) as client,
    ):
        assert await health_until(client, port, 200, log) == "ok\n"
        await answer(fake, ALICE, "/help")
        await answer(fake, ALICE, "/privacy")
        await fake.wait_until(lambda: len(fake.messages(ALICE)) == 2)
        figures = await samples(client, port)
        missing = (await client.get(f"http://127.0.0.1:{port}/other")).status_code
    assert missing == 404
    assert value(figures, "gemeinsam_turns_total", outcome="handled") == 2, figures
    assert value(figures, "gemeinsam_turn_duration_seconds_count") == 2
    assert value(figures, "gemeinsam_messages_total", channel="telegram", outcome="sent") == 2
    assert value(figures, "gemeinsam_database_up") == 1
    assert value(figures, "gemeinsam_inbox_messages", status="done") == 2
    assert value(figures, "gemeinsam_outbox_messages", status="sent", priority="reply") >= 1
    assert value(figures, "gemeinsam_reply_wait_seconds") == 0
    assert value(figures, "gemeinsam_people", role="none", region="none") == 1
    assert value(figures, "gemeinsam_job_runs_total", job="reminders") >= 1
    assert ("gemeinsam_job_failures_total", frozenset({("job", "reminders")})) not in figures
    assert value(figures, "gemeinsam_questions", status="open") == 0
    assert value(figures, "gemeinsam_applications", status="submitted") == 0


async def test_health_is_503_with_the_reason_while_the_database_is_away(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    port = free_port()
    async with (
        outage_for(database_url) as outage,
        bot_process(fake, outage.url, log, METRICS_PORT=str(port)),
        httpx.AsyncClient(timeout=30) as client,
    ):
        await health_until(client, port, 200, log)
        await answer(fake, ALICE, "/help")
        await outage.down()
        reason = await health_until(client, port, 503, log)
        assert reason.startswith("the database "), reason
        figures = await samples(client, port)  # answers still
        if make_url(database_url).get_backend_name() == "postgresql":  # without its figures
            assert value(figures, "gemeinsam_database_up") == 0
            assert ("gemeinsam_inbox_messages", frozenset({("status", "done")})) not in figures
        else:  # an SQLite file that cannot be written still reads
            assert value(figures, "gemeinsam_inbox_messages", status="done") == 1
        await outage.up()
        assert await health_until(client, port, 200, log) == "ok\n"
        assert value(await samples(client, port), "gemeinsam_database_up") == 1
