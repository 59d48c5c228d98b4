"""`python -m bot doctor`: every check one line, ok on a fresh set-up, and what is wrong and what
to do otherwise, with a non-zero exit status and no traceback."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.operations import doctor
from bot.operations.doctor import examine
from bot.operations.doctor.configuration import variable_names


def run(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["doctor"])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in variable_names():
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert main(["migrate"]) == 0
    return path


def failures(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("FAIL")]


def test_a_fresh_setup_is_ok_in_everything_checked(
    migrated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, lines, err = run(capsys)
    assert (code, err, failures(lines)) == (0, "", [])
    assert lines[-1] == "Everything checked is ok."
    statuses = {line.split()[0] for line in lines[:-1]}
    assert statuses == {"ok", "skip"}
    subjects = {line.split()[1] for line in lines[:-1]}
    assert {"setting:", "database:", "migrations:", "catalog", "content:", "time"} <= subjects
    assert f"ok    setting: DATABASE_URL=sqlite+aiosqlite:///{migrated}" in lines
    assert "ok    setting: TIMEZONE=Europe/Berlin (default)" in lines
    assert len([line for line in lines if line.startswith("ok    setting:")]) == len(
        variable_names()
    )


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://bot@localhost/gemeinsam", "FAIL  setting: DATABASE_URL: unsupported database"),
        (
            "postgresql://bot:secret-pw@127.0.0.1:1/gemeinsam",
            "FAIL  database: cannot connect to postgresql+asyncpg://bot:***@127.0.0.1:1/gemeinsam",
        ),
        ("sqlite+aiosqlite:///nowhere/bot.sqlite3", "FAIL  database: there is no database file"),
    ],
)
def test_a_wrong_database_url_is_one_line_and_a_failure(
    url: str,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    code, lines, err = run(capsys)
    assert (code, err) == (1, "")
    [failure] = failures(lines)
    assert failure.startswith(said)
    assert "secret-pw" not in "\n".join(lines) and "Traceback" not in "\n".join(lines)
    assert lines[-1] == "1 problem found."
    assert not (tmp_path / "nowhere").exists()  # doctor creates nothing


async def test_every_refused_setting_is_named_on_its_own_line(migrated: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{migrated}",
        "TIMEZONE": "Mars/Olympus",
        "WEBHOOK_PORT": "99999",
        "SIGNAL_ACCOUNT": "+4915100000000",
        "TELEGRAM_BOT_TOKEN": "123456:secret-part-of-the-token",
    }
    lines = [finding.line() for finding in await examine(env) if finding.failed]
    assert lines[:3] == [
        "FAIL  setting: TIMEZONE: 'Mars/Olympus' is not a known time zone",
        "FAIL  setting: WEBHOOK_PORT: '99999' is not a port number",
        "FAIL  setting: SIGNAL_CLI_URL: not set, but SIGNAL_ACCOUNT is; set both or neither",
    ]
    shown = "\n".join(finding.line() for finding in await examine(env))
    assert "ok    setting: TELEGRAM_BOT_TOKEN=123456:<hidden>" in shown
    assert "secret-part" not in shown and "+4915100000000" not in shown
    assert "skip  signal: not checked, as its settings are refused" in shown


async def test_an_empty_or_unknown_schema_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    with closing(sqlite3.connect(path)) as database:
        database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        database.commit()
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{path}"}
    said = [f.line() for f in await examine(env) if f.failed]
    assert said == ["FAIL  migrations: the database is empty: run `python -m bot migrate`"]
    with closing(sqlite3.connect(path)) as database:
        database.execute("INSERT INTO alembic_version VALUES ('f00dfeedbeef')")
        database.commit()
    [said_now] = [f.line() for f in await examine(env) if f.failed]
    assert said_now.startswith(
        "FAIL  migrations: the database is at revision f00dfeedbeef, which this version does "
        "not know: a newer version migrated it"
    )


async def test_a_topic_missing_a_language_in_the_database_is_named(migrated: Path) -> None:
    with closing(sqlite3.connect(migrated)) as database:
        database.execute("DELETE FROM info_articles WHERE topic = 'health' AND locale = 'fa'")
        database.commit()
    [said] = [
        f.line()
        for f in await examine({"DATABASE_URL": f"sqlite+aiosqlite:///{migrated}"})
        if f.failed
    ]
    assert said.startswith("FAIL  content: in the database: 'health' has no text in fa; ")
    assert said.endswith("run `python -m bot content import`")


async def test_an_uncompiled_or_incomplete_catalog_is_named(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(doctor.LOCALES_DIR, locales)
    monkeypatch.setattr(doctor, "LOCALES_DIR", locales)
    (locales / "fa" / "LC_MESSAGES" / "messages.mo").unlink()
    po = locales / "uk" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgid "Yes"\nmsgstr "Так"', 'msgid "Yes"\nmsgstr ""'), "utf-8")
    (po.with_suffix(".mo")).touch()
    failed = [
        f.line()
        for f in await examine({"DATABASE_URL": f"sqlite+aiosqlite:///{migrated}"})
        if f.failed
    ]
    assert failed == [
        f"FAIL  catalog fa: {locales}/fa/LC_MESSAGES/messages.mo is missing or older than its "
        ".po: run `make catalogs` (or `pybabel compile -D messages -d locales`)",
        "FAIL  catalog uk: 1 string without a translation: translate them in "
        "locales/uk/LC_MESSAGES/messages.po, then run `make catalogs` (or `pybabel compile -D "
        "messages -d locales`)",
    ]


async def test_a_migrated_database_of_either_kind_is_ok(database_url: str) -> None:
    findings = await examine({"DATABASE_URL": database_url})
    assert [f.line() for f in findings if f.failed] == []
    checked = {f.subject for f in findings if f.status == "ok"}
    assert {"database", "migrations", "time zone", "content"} <= checked
