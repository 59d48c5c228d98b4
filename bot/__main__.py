"""Command line: python -m bot run | console | migrate | staff add|remove|list [CHANNEL:ID]."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.app import App, run
from bot.settings import ConfigError, Settings, parse_address


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="migrate, then start on Telegram (token set) or the console")
    commands.add_parser("console", help="chat with the bot in this terminal")
    commands.add_parser("migrate", help="apply database migrations and seed the defaults")
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
    from bot.services import users

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


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if arguments.command in ("console", "staff") else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "apscheduler", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        if arguments.command == "run":
            if not settings.telegram_token:
                logging.getLogger().setLevel(logging.WARNING)
            asyncio.run(run(settings))
        elif arguments.command == "console":
            asyncio.run(_console(settings))
        elif arguments.command == "migrate":
            asyncio.run(_migrate(settings))
        else:
            asyncio.run(_staff(settings, arguments.action, arguments.address))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
