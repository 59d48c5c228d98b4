"""Staff get the staff commands in their chat's menu, in their language; who is staff no more
gets the menu for everyone back at the bot's next start."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.users import set_staff
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi

PETRA = 2002  # works for the district office


async def make_staff(bot: RunningBot, *, staff: bool) -> None:
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
        user.locale = "uk"
        user.consented_at = datetime.now(UTC)


async def test_staff_menus_follow_the_stored_role(bot: RunningBot, fake: FakeBotApi) -> None:
    fake.add_user(PETRA, first_name="Petra", language_code="uk")
    await make_staff(bot, staff=True)
    await bot.stop()
    await bot.start()
    assert bot.app is not None
    menu = fake.commands[(f"chat:{PETRA}", "")]
    names = [command["command"] for command in menu]
    assert {"review", "broadcast", "staff"} <= set(names)
    uk = bot.app.catalogs.translator("uk").gettext
    assert menu[names.index("menu")]["description"] == uk("Show the main menu")

    await make_staff(bot, staff=False)
    await bot.stop()
    await bot.start()
    assert (f"chat:{PETRA}", "") not in fake.commands
    assert fake.rejected == []
