"""`doctor` on the database: it answers, its schema is at this version's head, it can be written,
its clock and time zone, and the information topics it holds. Nothing is created or changed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.health import describe
from bot.db.models import InfoArticle
from bot.db.session import Database
from bot.operations.doctor.findings import Finding, fail, ok
from bot.services.outreach.topic_files import CONTENT_DIR, ContentError, load_directory
from bot.settings import Settings
from conversations.languages import LANGUAGE_CODES

SUBJECT = "database"
MIGRATE = "run `python -m bot migrate`"
CLOCK_TOLERANCE_SECONDS = 60


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


async def examine(settings: Settings) -> list[Finding]:
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    path = sqlite_file(settings.database_url)
    if path is not None and not path.is_file():
        return [
            fail(
                SUBJECT,
                f"there is no database file at {path}: {MIGRATE} to create it "
                "(or correct DATABASE_URL)",
            ),
        ]
    database = Database(settings.database_url)
    try:
        return await _examine(database, settings, shown)
    finally:
        await database.dispose()


async def _examine(database: Database, settings: Settings, shown: str) -> list[Finding]:
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return [
            fail(
                SUBJECT,
                f"cannot connect to {shown}: {describe(error)}; is the server "
                "running, and are the host, user, password and database name right?",
            ),
        ]
    findings = [ok(SUBJECT, f"{shown} answers")]
    revision = await migrate.current_revision(database)
    head = migrate.head_revision()
    if revision is None:
        findings.append(fail("migrations", f"the database is empty: {MIGRATE}"))
        return findings
    if revision != head:
        findings.append(fail("migrations", _behind(revision, head)))
    else:
        findings.append(ok("migrations", f"at the head revision {head}"))
    try:
        await database.check_writable()
        findings.append(ok(SUBJECT, "writable"))
    except Exception as error:
        findings.append(
            fail(SUBJECT, f"{error}; check the file's or the user's rights and the free space")
        )
    findings.append(await _time(database, settings))
    if revision == head:
        findings.append(await _topics(database))
    return findings


def _behind(revision: str, head: str | None) -> str:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        known = scripts.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        return (
            f"the database is at revision {revision}, which this version does not know: a newer "
            "version migrated it; run that version, or restore the backup taken before the upgrade"
        )
    return f"the database is at revision {revision}, not at the head {head}: {MIGRATE}"


async def _time(database: Database, settings: Settings) -> Finding:
    """Times are stored in UTC and shown in TIMEZONE; a server clock far from this machine's
    would make leases and reminders go wrong."""
    local = datetime.now(UTC).astimezone(settings.tz)
    told = f"times stored in UTC, shown in {settings.timezone} (now {local:%Y-%m-%d %H:%M} there)"
    if not database.is_postgresql:
        return ok("time zone", told)
    try:
        async with database.engine.connect() as connection:
            zone = await connection.scalar(text("SELECT current_setting('TimeZone')"))
            server_now = await connection.scalar(text("SELECT now()"))
    except Exception as error:
        return fail("time zone", f"cannot ask the server: {describe(error)}")
    drift = abs((server_now - datetime.now(UTC)).total_seconds())
    if drift > CLOCK_TOLERANCE_SECONDS:
        return fail(
            "time zone",
            f"the database server's clock is {drift:.0f} s away from this machine's: "
            "synchronise both clocks (NTP)",
        )
    return ok("time zone", f"{told}; the server's session zone is {zone}, its clock agrees")


async def _topics(database: Database) -> Finding:
    """Every published topic in the database in every language, every shipped topic there."""
    try:
        shipped = {article.topic for article in load_directory(CONTENT_DIR)}
    except ContentError:
        shipped = set()  # said by the content check
    async with database.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(InfoArticle.topic, InfoArticle.locale).where(InfoArticle.published)
            )
        ).all()
    languages: dict[str, set[str]] = {}
    for topic, locale in rows:
        languages.setdefault(topic, set()).add(locale)
    problems = [
        f"{topic!r} has no text in {', '.join(c for c in LANGUAGE_CODES if c not in have)}"
        for topic, have in sorted(languages.items())
        if set(LANGUAGE_CODES) - have
    ]
    absent = sorted(shipped - languages.keys())
    if absent:
        problems.append(f"{', '.join(absent)} not imported")
    if problems:
        return fail(
            "content",
            f"in the database: {'; '.join(problems)}; add the texts to content/<topic>/ and "
            "run `python -m bot content import`",
        )
    return ok(
        "content",
        f"the database holds {len(languages)} topics in all {len(LANGUAGE_CODES)} languages",
    )
