"""PostgreSQL: a pooled connection that idled is pinged before use, so one the server dropped
meanwhile is replaced instead of failing the turn that takes it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db import session as db_session
from bot.db.session import Database


async def test_a_connection_dropped_while_idle_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    monkeypatch.setattr(db_session, "PING_AFTER_IDLE_SECONDS", 0.0)
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar()
        other = Database(database_url)  # the server drops the idle one
        try:
            async with other.transaction() as session:
                await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            await other.dispose()
        for _ in range(2):  # whichever connection the pool hands out next
            async with database.transaction() as session:
                assert (await session.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await database.dispose()
