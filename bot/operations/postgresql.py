"""PostgreSQL's own tools for backups: pg_dump writes an archive from one snapshot while the bot
runs, pg_restore reads it back. The password goes through the environment, never the command
line (which every user of the machine can see)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings_values import ConfigError

_COPY = re.compile(r"^COPY (?:\"?[\w]+\"?\.)?\"?(?P<table>[\w]+)\"? \(.*\) FROM stdin;$")


class BackupError(ConfigError):
    """A backup or restore that cannot be done; the message is one line."""


def tool(name: str, command: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{command}: {name} is not installed; it comes with PostgreSQL's client tools "
            f"(e.g. `apt install postgresql-client`), of the server's major version or newer"
        )
    return found


def client_environment(url: str) -> dict[str, str]:
    """libpq's variables for the database of a SQLAlchemy URL."""
    parsed = make_url(url)
    values = {
        "PGHOST": parsed.host or str(parsed.query.get("host", "")),
        "PGPORT": str(parsed.port or ""),
        "PGUSER": parsed.username or "",
        "PGPASSWORD": parsed.password or "",
        "PGDATABASE": parsed.database or "",
        "PGSSLMODE": str(parsed.query.get("ssl", parsed.query.get("sslmode", ""))),
        "PGCONNECT_TIMEOUT": "10",
    }
    return {**os.environ, **{name: value for name, value in values.items() if value}}


def _run(arguments: list[str], url: str, command: str) -> None:
    result = subprocess.run(
        arguments, env=client_environment(url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        said = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(
            f"{command}: {Path(arguments[0]).name} failed: "
            f"{said[0] if said else f'exit status {result.returncode}'}"
        )


def dump(url: str, path: Path) -> None:
    """The whole database in pg_dump's custom format (compressed, for pg_restore)."""
    _run(
        [
            tool("pg_dump", "backup"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={path}",
        ],
        url,
        "backup",
    )


def load(url: str, path: Path) -> None:
    """The archive into the (empty) database, all or nothing."""
    _run(
        [
            tool("pg_restore", "restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={make_url(url).database}",
            str(path),
        ],
        url,
        "restore",
    )


def archive_contents(path: Path, command: str) -> tuple[str | None, dict[str, int]]:
    """The migration revision and the rows of every table in an archive, read as pg_restore
    would write them out (streamed, not held in memory)."""
    arguments = [tool("pg_restore", command), "--data-only", "--file=-", str(path)]
    counts: dict[str, int] = {}
    revision: str | None = None
    table: str | None = None
    with subprocess.Popen(
        arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            if table is None:
                match = _COPY.match(line)
                if match:
                    table = match["table"]
                    counts[table] = 0
            elif line == "\\.":
                table = None
            else:
                counts[table] += 1
                if table == "alembic_version":
                    revision = line.split("\t", 1)[0]
        said = [line for line in process.stderr.read().splitlines() if line.strip()]
    if process.returncode != 0:
        raise BackupError(
            f"{command}: {path} is not a pg_dump archive pg_restore can read: "
            f"{said[0] if said else f'exit status {process.returncode}'}"
        )
    return revision, counts
