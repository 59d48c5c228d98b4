"""Staff get the staff commands in their chat's menu, in their language, while the bot runs;
who is staff no more gets the menu for everyone back, at once or at the bot's next start."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db.session import Database
from bot.services.people.users import set_staff
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi

PETRA = 2002  # works for the district office


async def make_staff(bot: RunningBot, *, staff: bool, locale: str = "uk") -> None:
    """What `python -m bot staff add|remove` does, plus the person's language."""
    assert bot.app is not None
    async with bot.app.database.transaction() as session:
        user = await set_staff(
            session,
            channel="telegram",
            external_id=str(PETRA),
            staff=staff,
            actor="cli",
            default_locale="de",
            now=datetime.now(UTC),
        )
        user.locale = locale
        user.consented_at = datetime.now(UTC)


async def sync(bot: RunningBot) -> None:
    """The scheduler's job, run now instead of within the minute."""
    assert bot.app is not None and bot.app.command_menus is not None
    await bot.app.command_menus.sync_staff()


def staff_menu(bot: RunningBot, fake: FakeBotApi) -> dict[str, str] | None:
    menu = fake.commands.get((f"chat:{PETRA}", ""))
    return None if menu is None else {c["command"]: c["description"] for c in menu}


async def test_staff_menus_follow_the_stored_role_and_language(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    fake.add_user(PETRA, first_name="Petra", language_code="uk")
    assert staff_menu(bot, fake) is None
    await make_staff(bot, staff=True)
    await sync(bot)
    menu = staff_menu(bot, fake)
    assert menu is not None and {"review", "broadcast", "staff"} <= set(menu)
    uk, ar = (bot.app.catalogs.translator(locale).gettext for locale in ("uk", "ar"))
    assert menu["menu"] == uk("Show the main menu")
    requests = len(fake.requests)
    await sync(bot)
    assert len(fake.requests) == requests  # nothing changed, nothing sent

    await make_staff(bot, staff=True, locale="ar")
    await sync(bot)
    menu = staff_menu(bot, fake)
    assert menu is not None and menu["menu"] == ar("Show the main menu")

    await make_staff(bot, staff=False)
    await sync(bot)
    assert staff_menu(bot, fake) is None
    assert fake.rejected == []


async def test_a_restart_takes_the_staff_menu_from_who_was_removed_meanwhile(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    fake.add_user(PETRA, first_name="Petra", language_code="uk")
    await make_staff(bot, staff=True)
    await sync(bot)
    assert staff_menu(bot, fake) is not None
    await bot.stop()
    database = Database(bot.settings.database_url)  # `staff remove` while the bot is down
    try:
        async with database.transaction() as session:
            await set_staff(
                session,
                channel="telegram",
                external_id=str(PETRA),
                staff=False,
                actor="cli",
                default_locale="de",
                now=datetime.now(UTC),
            )
    finally:
        await database.dispose()
    await bot.start()
    assert staff_menu(bot, fake) is None
    assert fake.rejected == []
