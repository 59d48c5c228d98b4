"""The clean-up job: what it forgets, and what it must keep."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.db.models import Conversation, User
from bot.scheduling.jobs import clean_up
from bot.services.people.users import set_staff
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import gettext, onboard


async def test_an_unfinished_sign_up_is_forgotten_after_a_week(app: App, clock: FakeClock) -> None:
    _ = gettext(app, "de")
    quitter = Chat(app, "quitter")
    await quitter.send("/start")
    await quitter.press("Deutsch")
    await quitter.press(_("I am new in the district"))
    await quitter.press("Hagenow")  # role and region wait in the conversation for the consent
    decliner = Chat(app, "decliner")
    await decliner.send("/start")
    await decliner.press("Deutsch")
    await decliner.press(_("I volunteer"))
    await decliner.press("Parchim")
    await decliner.press(_("I do not agree"))
    member = Chat(app, "member")
    await onboard(member, "Deutsch", "de")
    async with app.database.transaction() as session:
        await set_staff(
            session,
            channel="memory",
            external_id="new-staff",  # added on the command line, has not written yet
            staff=True,
            actor="cli",
            default_locale="de",
            now=clock.now(),
        )

    clock.advance(days=6)
    late = Chat(app, "late")
    await late.send("/start")
    await clean_up(app.database, clock)
    assert await people(app) == 5

    clock.advance(days=2)
    await clean_up(app.database, clock)
    assert await people(app) == 3  # the member, the new staff member, and who wrote on day 6
    async with app.database.transaction() as session:
        kept = (await session.scalars(select(Conversation.data))).all()
    assert all("region" not in data for data in kept)

    await quitter.send("/start")  # who comes back starts afresh
    assert quitter.labels[:2] == ["Deutsch", "English"]


async def people(app: App) -> int:
    async with app.database.transaction() as session:
        return len((await session.scalars(select(User.id))).all())
