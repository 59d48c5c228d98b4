"""`python -m bot backup PATH`: a consistent copy of the database while the bot runs (SQLite's
online backup API, or pg_dump); `restore PATH`: the copy back into an empty database, checked
table by table against what the copy holds."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url

from bot.db import migrate
from bot.db.health import describe
from bot.db.session import Database
from bot.operations import postgresql
from bot.operations.postgresql import BackupError

BUSY_TIMEOUT_SECONDS = 30  # the bot's writers hold SQLite's lock only briefly


async def backup(url: str, path: Path) -> str:
    """Write the copy (never over an existing file); one line on what it holds."""
    if path.exists():
        raise BackupError(
            f"backup: {path} exists; give a new file name (a backup is never overwritten)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _sqlite_file(url) is not None:
            _sqlite_copy(_existing(url, "backup"), partial)
            revision, counts = _sqlite_contents(partial)
        else:
            postgresql.dump(url, partial)
            revision, counts = postgresql.archive_contents(partial, "backup")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return f"Backed up {_shown(url)} to {path}: {_summary(revision, counts)}."


async def restore(url: str, path: Path) -> str:
    """Put the copy into the empty database at `url`, then compare every table's rows."""
    if not path.is_file():
        raise BackupError(f"restore: there is no file {path}")
    sqlite_target = _sqlite_file(url)
    if sqlite_target is not None:
        revision, counts = _sqlite_contents(path)
    else:
        revision, counts = postgresql.archive_contents(path, "restore")
    _check_revision(revision)
    database = Database(url)
    try:
        await _refuse_unless_empty(database, url)
        if sqlite_target is not None:
            await database.dispose()
            _sqlite_copy(path, sqlite_target)
        else:
            postgresql.load(url, path)
        restored = await _counts(database)
    finally:
        await database.dispose()
    if restored != counts:
        differing = sorted(
            n for n in counts.keys() | restored.keys() if counts.get(n) != restored.get(n)
        )
        raise BackupError(
            f"restore: the restored database differs from {path} in "
            f"{', '.join(differing)}; do not start the bot on it"
        )
    text_ = f"Restored {path} into {_shown(url)}: {_summary(revision, counts)}, all as in the copy"
    head = migrate.head_revision()
    if revision != head:
        text_ += f"; run `python -m bot migrate` to bring it to this version's {head}"
    return text_ + "."


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise BackupError("DATABASE_URL: an in-memory SQLite database has nothing to back up")
    return Path(parsed.database or "")


def _existing(url: str, command: str) -> Path:
    path = _sqlite_file(url)
    if path is None or not path.is_file():
        raise BackupError(f"{command}: there is no database at {path} (DATABASE_URL)")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API in one step: a snapshot of one moment, taken while the bot
    goes on writing (in WAL mode, writers do not wait for it)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as live,
            closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as copy,
        ):
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            [verdict] = copy.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy {source} to {target}: {describe(error)}") from error
    if verdict != "ok":
        raise BackupError(f"the copy {target} fails SQLite's integrity check: {verdict}")


def _sqlite_contents(path: Path) -> tuple[str | None, dict[str, int]]:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            tables = [
                name
                for (name,) in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            ]
            counts = {
                name: int(copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
                for name in tables
            }
            revision = (
                copy.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a SQLite database: {describe(error)}") from error
    return (revision[0] if revision else None), counts


def _check_revision(revision: str | None) -> None:
    if revision is None:
        raise BackupError(
            "restore: the copy holds no migration revision: it is not a backup "
            "of this bot's database"
        )
    try:
        known = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"restore: the copy is at revision {revision}, which this version "
            "does not know; restore it with the version that made it"
        )


async def _refuse_unless_empty(database: Database, url: str) -> None:
    try:
        tables = await _counts(database)
    except Exception as error:
        raise BackupError(
            f"restore: cannot open {_shown(url)}: {describe(error)}; create the "
            "(empty) database first"
        ) from error
    if tables:
        raise BackupError(
            f"restore: {_shown(url)} is not empty ({len(tables)} tables); restore only into an "
            "empty database: point DATABASE_URL to a new one, or move the old one away first"
        )


async def _counts(database: Database) -> dict[str, int]:
    def count(connection: Connection) -> dict[str, int]:
        names = inspect(connection).get_table_names()
        preparer = connection.dialect.identifier_preparer
        return {
            name: int(connection.scalar(text(f"SELECT count(*) FROM {preparer.quote(name)}")) or 0)
            for name in names
        }

    async with database.engine.connect() as connection:
        return await connection.run_sync(count)


def _summary(revision: str | None, counts: dict[str, int]) -> str:
    return f"revision {revision}, {len(counts)} tables, {sum(counts.values())} rows"


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
