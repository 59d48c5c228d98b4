"""Command line: python -m bot run | console | migrate | doctor | backup PATH | restore PATH |
round … | content import | staff add|remove|list ID."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from telegram.error import InvalidToken

from bot import logs
from bot.app import App, run
from bot.settings import Settings
from bot.settings_values import ConfigError, parse_address


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="migrate, then start on Telegram (token set) or the console")
    commands.add_parser("console", help="chat with the bot in this terminal")
    commands.add_parser("migrate", help="apply database migrations and seed the defaults")
    rounds = commands.add_parser("round", help="manage funding rounds")
    round_actions = rounds.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = round_actions.add_parser("create", help="open a new funding round")
    create.add_argument("--name", required=True)
    create.add_argument("--pot", required=True, help="the pot in EUR, e.g. 10000")
    create.add_argument("--cap", default="1000", help="the most one application may get, EUR")
    create.add_argument("--opens", required=True, help="first day, YYYY-MM-DD")
    create.add_argument("--closes", required=True, help="last day, YYYY-MM-DD")
    create.add_argument(
        "--report-weeks",
        type=int,
        default=8,
        help="weeks after a project's end until its report is due",
    )
    round_actions.add_parser("list", help="the rounds with their money")
    close = round_actions.add_parser("close", help="close a round for new applications")
    close.add_argument("id", type=int)
    content = commands.add_parser("content", help="information topics for newcomers")
    content_actions = content.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = content_actions.add_parser("import", help="load every topic file (validated first)")
    load.add_argument("--dir", default=None, help="the content folder (default: content/)")
    commands.add_parser("doctor", help="check settings, database, catalogs, content, messengers")
    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", help="the new file (SQLite copy, or pg_dump archive)")
    restore = commands.add_parser("restore", help="put a backup into an empty database")
    restore.add_argument("path", help="a file written by `backup`")
    staff = commands.add_parser("staff", help="manage staff of the district office")
    staff.add_argument("action", choices=["add", "remove", "list"])
    staff.add_argument("address", nargs="?", help="CHANNEL:ID, e.g. telegram:12345")
    return parser


async def _console(settings: Settings) -> None:
    app = App(settings)
    try:
        await app.migrate()
        await app.run_console()
    finally:
        await app.close()


async def _migrate(settings: Settings) -> None:
    app = App(settings)
    try:
        await app.migrate()
        print(f"Database is up to date: {app.database.engine.url.render_as_string()}")
    finally:
        await app.close()


async def _staff(settings: Settings, action: str, address: str | None) -> None:
    from bot.services.people import users

    app = App(settings)
    try:
        await app.migrate()
        async with app.database.transaction() as session:
            if action == "list":
                for member in await users.staff_members(session, admins=settings.admins):
                    role = "admin" if member.is_admin else "staff"
                    print(f"{member.address}\t{role}\t{member.display_name or ''}")
                return
            if address is None:
                raise ConfigError(f"staff {action}: give the address, e.g. telegram:12345")
            channel, external_id = parse_address(address)
            await users.set_staff(
                session,
                channel=channel,
                external_id=external_id,
                staff=action == "add",
                actor="cli",
                default_locale=settings.default_locale,
                now=app.clock.now(),
            )
            print(f"{channel}:{external_id} is {'now' if action == 'add' else 'no longer'} staff.")
    finally:
        await app.close()


def _euros(value: str, name: str) -> int:
    try:
        cents = Decimal(value.replace(",", ".")) * 100
    except InvalidOperation:
        raise ConfigError(f"round: {name} {value!r} is not an amount in EUR") from None
    if cents != cents.to_integral_value() or cents <= 0:
        raise ConfigError(f"round: {name} {value!r} must be a positive amount in whole cents")
    return int(cents)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"round: {name} {value!r} is not a date like 2027-01-31") from None


async def _round(settings: Settings, arguments: argparse.Namespace) -> None:
    from bot.db.models import FundingRound
    from bot.services.grants import funding_rounds
    from bot.services.people import audit

    app = App(settings)
    try:
        await app.migrate()
        now = app.clock.now()
        async with app.database.transaction() as session:
            if arguments.action == "create":
                pot, cap = _euros(arguments.pot, "--pot"), _euros(arguments.cap, "--cap")
                opens = _day(arguments.opens, "--opens")
                closes = _day(arguments.closes, "--closes")
                try:
                    created = await funding_rounds.create_round(
                        session,
                        name=arguments.name,
                        pot_cents=pot,
                        cap_cents=cap,
                        opens_on=opens,
                        closes_on=closes,
                        now=now,
                        report_weeks=arguments.report_weeks,
                    )
                except ValueError as error:
                    raise ConfigError(f"round: {error}") from None
                audit.record(
                    session, actor="cli", action="round.create", subject=str(created.id), at=now
                )
                print(f"Round {created.id} created: {created.name}")
            elif arguments.action == "close":
                funding_round = await session.get(FundingRound, arguments.id)
                if funding_round is None:
                    raise ConfigError(f"round: there is no round {arguments.id}")
                funding_round.closed_at = now
                audit.record(
                    session, actor="cli", action="round.close", subject=str(arguments.id), at=now
                )
                print(f"Round {arguments.id} is closed.")
            else:
                for funding_round in (
                    await session.scalars(select(FundingRound).order_by(FundingRound.id))
                ).all():
                    approved = await funding_rounds.approved_total(session, funding_round.id)
                    state = "closed" if funding_round.closed_at else "open"
                    print(
                        f"{funding_round.id}\t{funding_round.name}\t{state}\t"
                        f"{funding_round.opens_on}..{funding_round.closes_on}\t"
                        f"pot {funding_round.pot_cents / 100:.2f} EUR\t"
                        f"cap {funding_round.cap_cents / 100:.2f} EUR\t"
                        f"approved {approved / 100:.2f} EUR\t"
                        f"left {(funding_round.pot_cents - approved) / 100:.2f} EUR"
                    )
    finally:
        await app.close()


async def _content(settings: Settings, directory: str | None) -> None:
    from pathlib import Path

    from bot.services.outreach.topic_files import (
        CONTENT_DIR,
        ContentError,
        import_articles,
        load_directory,
    )
    from bot.services.people import audit

    try:
        articles = load_directory(Path(directory) if directory else CONTENT_DIR)
    except ContentError as error:
        raise ConfigError(f"content: {error}") from None
    app = App(settings)
    try:
        await app.migrate()
        async with app.database.transaction() as session:
            count = await import_articles(session, articles, now=app.clock.now())
            audit.record(
                session,
                actor="cli",
                action="content.import",
                at=app.clock.now(),
                details={"articles": count},
            )
        topics = len({article.topic for article in articles})
        print(f"Imported {count} texts: {topics} topics in {count // max(topics, 1)} languages.")
    finally:
        await app.close()


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING
        if arguments.command in ("console", "staff", "round", "doctor", "backup", "restore")
        else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request's URL at INFO, and a Telegram URL holds the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logs.install()
    try:
        if arguments.command == "doctor":  # checks every setting, so before they are read
            from bot.operations import doctor

            return asyncio.run(doctor.run())
        settings = Settings.from_env()
        logs.configure(settings)
        logs.use_format(settings.log_format)
        if arguments.command == "run":
            if not settings.telegram_token and not settings.signal_account:  # the terminal chat
                logging.getLogger().setLevel(logging.WARNING)
            asyncio.run(run(settings))
        elif arguments.command == "console":
            asyncio.run(_console(settings))
        elif arguments.command == "migrate":
            asyncio.run(_migrate(settings))
        elif arguments.command == "content":
            asyncio.run(_content(settings, arguments.dir))
        elif arguments.command == "round":
            asyncio.run(_round(settings, arguments))
        elif arguments.command in ("backup", "restore"):
            from pathlib import Path

            from bot.operations import backup as backups

            copy = backups.backup if arguments.command == "backup" else backups.restore
            print(asyncio.run(copy(settings.database_url, Path(arguments.path))))
        else:
            asyncio.run(_staff(settings, arguments.action, arguments.address))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except InvalidToken:  # its message holds the token
        print("error: TELEGRAM_BOT_TOKEN: Telegram does not accept this token", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:  # through the log, so that the traceback is redacted too
        logging.getLogger("bot").critical("the bot stopped on an unexpected error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
