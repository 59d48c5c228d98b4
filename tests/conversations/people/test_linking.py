"""/link: one person, two messengers, one profile; as transcripts through the memory channel."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import ChannelIdentity, GroupMembership, LinkCode, Region, User
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import onboard

CODE = re.compile(r"/link (\d{4} \d{4})")


async def code_of(chat: Chat) -> str:
    await chat.send("/link")
    found = CODE.search(chat.text)
    assert found, chat.text
    return found.group(1)


async def test_a_code_typed_in_the_second_messenger_joins_it_to_the_profile(app: App) -> None:
    first = Chat(app, "telegram-person")
    await onboard(first, "English", "en", region="Hagenow")
    code = await code_of(first)
    assert "until" in first.text
    second = Chat(app, "signal-person", language_code="en")
    await second.send(f"/link {code}")
    assert "Done: both messengers now share one profile" in second.text
    async with app.database.transaction() as session:
        users = (await session.scalars(select(User))).all()
        assert len(users) == 1
        addresses = (
            await session.scalars(select(ChannelIdentity.external_id).order_by(ChannelIdentity.id))
        ).all()
        assert addresses == ["telegram-person", "signal-person"]
        assert await session.scalar(select(func.count()).select_from(LinkCode)) == 0
    # The second messenger is the same person now: set up, with both addresses in /mydata.
    await second.send("/mydata")
    assert "memory:telegram-person" in second.text
    assert "memory:signal-person" in second.text
    assert "Hagenow" in second.text


async def test_the_code_typed_in_the_open_question_of_the_second_messenger(app: App) -> None:
    first = Chat(app, "a")
    await onboard(first, "English", "en")
    second = Chat(app, "b", language_code="en")
    await second.send("/link")  # shows its own code and waits for one
    code = await code_of(first)
    await second.send(code.replace(" ", ""))
    assert "Done" in second.text
    await second.send("/menu")
    assert "Apply for funding" in second.labels  # the volunteer's menu, no new set-up


async def test_bad_codes_are_answered_and_the_question_stays(app: App, clock: FakeClock) -> None:
    first = Chat(app, "a")
    await onboard(first, "English", "en")
    code = await code_of(first)
    second = Chat(app, "b", language_code="en")
    await second.send("/link")
    await second.send("hello")
    assert "A code has 8 digits" in second.text
    await second.send("9999 9999" if code != "9999 9999" else "1111 1111")
    assert "I do not know that code" in second.text
    await first.send(code)  # typed where it was shown
    assert "That is the code of this chat" in first.text
    clock.advance(minutes=16)
    await second.send(code)
    assert "That code has expired" in second.text
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 2


async def test_two_set_up_profiles_become_one_with_everything_of_both(app: App) -> None:
    first = Chat(app, "a")
    await onboard(first, "English", "en", region="Hagenow")
    second = Chat(app, "b", language_code="en")
    await onboard(second, "English", "en", region="Parchim")
    third = Chat(app, "c", language_code="en")
    await onboard(third, "English", "en", region="Parchim")
    code = await code_of(first)
    await second.send(f"/link {code}")
    assert "Done" in second.text
    code = await code_of(first)
    await third.send(f"/link {code}")  # the same group on both sides: one membership
    async with app.database.transaction() as session:
        kept = (await session.scalars(select(User.id))).all()
        assert len(kept) == 1
        groups = (
            await session.scalars(
                select(Region.key)
                .join(GroupMembership, GroupMembership.region_id == Region.id)
                .where(GroupMembership.user_id == kept[0])
                .order_by(Region.key)
            )
        ).all()
        assert groups == ["hagenow", "parchim"]
        identities = await session.scalar(select(func.count()).select_from(ChannelIdentity))
        assert identities == 3


async def test_deleting_my_data_from_one_messenger_erases_both(app: App) -> None:
    first = Chat(app, "a")
    await onboard(first, "English", "en")
    second = Chat(app, "b", language_code="en")
    await second.send(f"/link {await code_of(first)}")
    await second.send("/deletemydata")
    await second.press("Yes, delete my data")
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        assert await session.scalar(select(func.count()).select_from(ChannelIdentity)) == 0
