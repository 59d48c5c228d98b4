"""For tests of backups: a scratch PostgreSQL database made and dropped by the test, and every
row of every table of a database, to compare two of them."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.session import Database


@asynccontextmanager
async def scratch_postgresql(url: str) -> AsyncIterator[str]:
    """A new, empty database on the server of `url`; dropped at the end."""
    name = f"{make_url(url).database}_scratch_{uuid.uuid4().hex[:8]}"
    server = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with server.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with server.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await server.dispose()


async def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows, sorted, by table name."""

    def read(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
        quote = connection.dialect.identifier_preparer.quote
        rows = {}
        for name in inspect(connection).get_table_names():
            found = connection.execute(text(f"SELECT * FROM {quote(name)}")).all()
            rows[name] = sorted((tuple(row) for row in found), key=repr)
        return rows

    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await database.dispose()


def archive_rows(path: Path) -> dict[str, list[str]]:
    """The rows of every table in a pg_dump archive, as COPY lines, sorted."""
    output = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tables: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if current is None and line.startswith("COPY "):
            current = tables.setdefault(line.split(" ", 2)[1], [])
        elif line == "\\.":
            current = None
        elif current is not None:
            current.append(line)
    return {name: sorted(lines) for name, lines in tables.items()}
