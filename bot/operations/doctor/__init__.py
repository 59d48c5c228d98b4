"""`python -m bot doctor`: one line per check of an installation (the settings, the database,
the catalogs, the content, the messengers), ok or what is wrong and what to do."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.i18n import LOCALES_DIR
from bot.operations import catalogs
from bot.operations.doctor import configuration, database, messengers
from bot.operations.doctor.findings import Finding, fail, ok, skip
from bot.services.outreach.topic_files import CONTENT_DIR, ContentError, load_directory
from bot.settings_values import ConfigError
from conversations.languages import LANGUAGE_CODES

COMPILE = "run `make catalogs` (or `pybabel compile -D messages -d locales`)"


async def examine(env: Mapping[str, str] | None = None) -> list[Finding]:
    env = os.environ if env is None else env
    try:
        variables, settings = configuration.examine(env)
    except ConfigError as error:
        return [fail("configuration", str(error)), *_files()]
    findings = _settings(variables)
    findings += _files()
    refused = {variable.name for variable in variables if variable.error}
    if "DATABASE_URL" in refused:
        findings.append(skip("database", "not checked, as DATABASE_URL is refused (see above)"))
    else:
        findings += await database.examine(settings)
    if refused & {"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "WEBHOOK_URL"}:
        findings.append(skip("telegram", "not checked, as its settings are refused (see above)"))
    else:
        findings += await messengers.telegram(settings)
    if refused & {"SIGNAL_ACCOUNT", "SIGNAL_CLI_URL"}:
        findings.append(skip("signal", "not checked, as its settings are refused (see above)"))
    else:
        findings += await messengers.signal(settings)
    return findings


def _settings(variables: list[configuration.Variable]) -> list[Finding]:
    findings = []
    said: set[str] = set()
    for variable in variables:
        if variable.error is None:
            source = "" if variable.is_set else " (default)"
            findings.append(ok("setting", f"{variable.name}={variable.shown}{source}"))
        elif variable.error not in said:  # two variables refused together: said once
            said.add(variable.error)
            findings.append(fail("setting", variable.error))
    return findings


def _files() -> list[Finding]:
    return [*_catalogs(), _content()]


def _catalogs() -> list[Finding]:
    try:
        sources = catalogs.source_strings()
    except OSError as error:
        return [fail("catalogs", f"cannot read the code's strings: {error}")]
    findings = []
    for locale in LANGUAGE_CODES:
        subject = f"catalog {locale}"
        po = catalogs.po_path(locale, LOCALES_DIR)
        mo = po.with_suffix(".mo")
        if not po.is_file():
            findings.append(fail(subject, f"{po} is missing: restore it from the repository"))
            continue
        if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
            findings.append(
                fail(
                    subject,
                    f"{mo} is missing or older than its .po: {COMPILE}",
                )
            )
            continue
        try:
            gaps = catalogs.gaps(locale, sources, LOCALES_DIR)
        except Exception as error:  # a broken .po file: babel says where
            findings.append(fail(subject, f"{po.name} cannot be read: {error}"))
            continue
        if gaps:
            findings.append(
                fail(
                    subject,
                    f"{', '.join(gaps)}: translate them in "
                    f"locales/{locale}/LC_MESSAGES/messages.po, then {COMPILE}",
                )
            )
        else:
            findings.append(ok(subject, f"compiled, all {len(sources)} strings translated"))
    return findings


def _content() -> Finding:
    try:
        articles = load_directory(CONTENT_DIR)
    except ContentError as error:
        return fail("content", f"{error}; correct it, then run `python -m bot content import`")
    topics = {article.topic for article in articles}
    return ok(
        "content",
        f"{CONTENT_DIR.name}/ has {len(topics)} topics, each in all "
        f"{len(LANGUAGE_CODES)} languages",
    )


async def run(env: Mapping[str, str] | None = None) -> int:
    """Print every finding; 1 when one of them failed."""
    findings = await examine(env)
    for finding in findings:
        print(finding.line(), flush=True)
    failed = sum(finding.failed for finding in findings)
    if failed:
        print(f"{failed} problem{'s' if failed > 1 else ''} found.")
    else:
        print("Everything checked is ok.")
    return 1 if failed else 0
