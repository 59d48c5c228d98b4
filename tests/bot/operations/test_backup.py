"""`backup` copies a database with people's data in it, and `restore` puts it elsewhere: every
table the same; a restore refuses a database that is not empty, and a copy it does not know."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import App
from bot.operations.backup import backup, restore
from bot.operations.postgresql import BackupError
from tests.chat import Chat
from tests.database_copies import every_row, scratch_postgresql


@asynccontextmanager
async def empty_database(url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same kind as `url`."""
    if url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        async with scratch_postgresql(url) as scratch:
            yield scratch


async def chat_a_little(app: App) -> None:
    for address in ("u1", "u2"):
        chat = Chat(app, address)
        await chat.send("/start")
        await chat.press("Deutsch")


async def test_a_backup_restores_elsewhere_with_every_table_the_same(
    app: App, database_url: str, tmp_path: Path
) -> None:
    await chat_a_little(app)
    copy = tmp_path / "backup.copy"
    said = await backup(database_url, copy)
    assert said.startswith("Backed up ") and str(copy) in said
    async with empty_database(database_url, tmp_path) as target:
        said = await restore(target, copy)
        assert said.endswith("all as in the copy.")
        original, restored = await every_row(database_url), await every_row(target)
    assert restored == original
    assert original["users"] and original["conversations"]


async def test_a_restore_refuses_a_database_that_is_not_empty(
    app: App, database_url: str, tmp_path: Path
) -> None:
    await chat_a_little(app)
    copy = tmp_path / "backup.copy"
    await backup(database_url, copy)
    before = await every_row(database_url)
    with pytest.raises(BackupError, match=r"is not empty \(\d+ tables\)"):
        await restore(database_url, copy)
    assert await every_row(database_url) == before


async def test_a_backup_never_overwrites_a_file(database_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "backup.copy"
    copy.write_text("yesterday's backup")
    with pytest.raises(BackupError, match="exists; give a new file name"):
        await backup(database_url, copy)
    assert copy.read_text() == "yesterday's backup"


async def test_a_copy_from_a_newer_version_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "newer.sqlite3"
    with closing(sqlite3.connect(copy)) as database:
        database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        database.execute("INSERT INTO alembic_version VALUES ('f00dfeedbeef')")
        database.commit()
    target = tmp_path / "target.sqlite3"
    with pytest.raises(BackupError, match="revision f00dfeedbeef, which this version does not"):
        await restore(f"sqlite+aiosqlite:///{target}", copy)
    assert not target.exists()


def test_the_commands_say_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'live.sqlite3'}")
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["backup", str(tmp_path / "one.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Backed up sqlite+aiosqlite:///") and out.count("\n") == 1
    assert main(["restore", str(tmp_path / "one.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: restore: sqlite+aiosqlite:///") and err.count("\n") == 1
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}")
    assert main(["restore", str(tmp_path / "one.sqlite3")]) == 0
    assert capsys.readouterr().out.endswith("all as in the copy.\n")


def test_without_pg_dump_the_backup_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:secret@127.0.0.1:1/gemeinsam")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    assert main(["backup", str(tmp_path / "dump")]) == 2
    assert capsys.readouterr().err == (
        "error: backup: pg_dump is not installed; it comes with PostgreSQL's client tools "
        "(e.g. `apt install postgresql-client`), of the server's major version or newer\n"
    )
    assert list(tmp_path.iterdir()) == []
