"""The turn: one transaction per inbound message, replies through the outbox, duplicates once."""

from __future__ import annotations

import asyncio
import gc

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.base import GROUP, InboxEntry, TemporaryFailure
from bot.db.models import Conversation, OutboxMessage, ProcessedUpdate, User
from conversations.messages import Inbound, InboundKind
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import onboard

APOLOGY = "Sorry, something went wrong on my side. Please try again; your earlier answers are kept."
VOLUNTEER, STAFF = "I volunteer", "I work for the district office"


async def count(app: App, model: type) -> int:  # type: ignore[type-arg]
    async with app.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_replies_are_kept_when_the_channel_fails_and_sent_by_the_dispatcher(
    app: App, clock: FakeClock
) -> None:
    chat = Chat(app)
    chat.channel.fail_next("u1", TemporaryFailure("Bad Gateway"))
    assert await chat.send("/start") == []
    async with app.database.transaction() as session:
        row = await session.scalar(select(OutboxMessage))
        assert row is not None and row.status == "pending" and row.last_error == "Bad Gateway"
    clock.advance(seconds=3)
    await app.dispatcher.dispatch_due()
    replies = chat.channel.take("u1")
    assert len(replies) == 1 and len(replies[0].all_choices()) == 6


async def test_the_state_is_saved_with_a_new_version_after_every_step(app: App) -> None:
    chat = Chat(app)
    await chat.send("/start")
    await chat.press("Deutsch")
    async with app.database.transaction() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        assert (conversation.flow, conversation.step, conversation.version) == (
            "onboarding",
            "role",
            2,
        )


async def test_the_same_update_twice_is_one_turn(app: App) -> None:
    chat = Chat(app)
    await chat.send("/start", update_key="memory:77")
    await chat.send("/start", update_key="memory:77")
    assert await count(app, OutboxMessage) == 1
    assert await count(app, ProcessedUpdate) == 1


async def test_concurrent_messages_of_one_person_are_all_handled(app: App) -> None:
    """Two updates of a person at once (e.g. two bot processes): both are handled in turn."""
    second = App(app.settings, clock=app.clock)
    second.dispatcher.add_channel(app.dispatcher.channels["memory"])
    try:
        inbound = [
            Inbound(
                channel="memory",
                external_id="u9",
                kind=InboundKind.COMMAND,
                command="start",
                update_key=f"memory:c{i}",
            )
            for i in range(6)
        ]
        await asyncio.gather(
            *((app if i % 2 else second).turns.handle(message) for i, message in enumerate(inbound))
        )
    finally:
        await second.close()
    assert await count(app, User) == 1
    assert await count(app, ProcessedUpdate) == 6
    assert await count(app, OutboxMessage) == 6
    async with app.database.transaction() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None and conversation.version == 6


async def test_one_persons_messages_wait_for_each_other_and_no_lock_outlives_them(
    app: App,
) -> None:
    chats = [Chat(app, f"p{i}") for i in range(20)]
    order: list[str] = []
    original = app.turns._handle_with_retries

    async def slow(inbound: Inbound) -> list[int]:
        order.append(f"{inbound.external_id}:{inbound.update_key}:in")
        await asyncio.sleep(0.01)
        ids = await original(inbound)
        order.append(f"{inbound.external_id}:{inbound.update_key}:out")
        return ids

    app.turns._handle_with_retries = slow  # type: ignore[method-assign]
    await asyncio.gather(
        *(chat.send("/start", update_key=f"k{n}:{chat.address}") for chat in chats for n in (1, 2))
    )
    p0 = [step for step in order if step.startswith("p0:")]
    assert p0 == ["p0:k1:p0:in", "p0:k1:p0:out", "p0:k2:p0:in", "p0:k2:p0:out"]
    gc.collect()
    assert len(app.turns._locks) == 0


async def test_a_group_command_points_to_the_private_chat_once(app: App) -> None:
    command = Inbound(
        "memory",
        "-100",
        InboundKind.COMMAND,
        update_key="memory:g1",
        command="start",
        language_code="en",
    )
    for _ in range(2):  # the same update delivered twice
        await app.inbox.store([InboxEntry(command, GROUP, bot_username="gemeinsam_bot")])
        while await app.inbox.work_once():
            pass
    replies = app.dispatcher.channels["memory"].take("-100")  # type: ignore[attr-defined]
    assert len(replies) == 1
    assert 'href="https://t.me/gemeinsam_bot"' in replies[0].text
    assert await count(app, User) == 0
    assert await count(app, OutboxMessage) == 0  # once sent, nothing keeps the group's address


async def test_writing_again_makes_an_unreachable_person_reachable(
    app: App, clock: FakeClock
) -> None:
    chat = Chat(app)
    await chat.send("/start")
    async with app.database.transaction() as session:
        user = await session.scalar(select(User))
        assert user is not None
        user.unreachable_at = clock.now()
    await chat.send("/start")
    async with app.database.transaction() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.unreachable_at is None


async def test_a_failing_turn_is_apologized_for_and_the_state_is_kept(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(app, language_code="ar")
    await chat.send("/start")
    await chat.press("English")

    async def broken(ctx: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.engine, "handle", broken)
    await chat.press("I volunteer")
    assert [r.text for r in chat.replies] == [app.catalogs.translator("en").gettext(APOLOGY)]
    monkeypatch.undo()
    await chat.press_data("role:volunteer")
    assert chat.text.startswith("Which region")


async def test_one_update_handled_at_once_by_two_processes_is_one_turn(app: App) -> None:
    """Telegram redelivers an update while two bot processes poll: eight concurrent handlings of
    one update key make one outbox row, one processed key and one reply."""
    channel = app.dispatcher.channels["memory"]
    others = [App(app.settings, clock=app.clock) for _ in range(3)]
    for other in others:
        other.dispatcher.add_channel(channel)
    inbound = Inbound(
        channel="memory",
        external_id="u7",
        kind=InboundKind.COMMAND,
        command="start",
        text="/start",
        update_key="memory:dup-1",
        language_code="de",
    )
    try:
        results = await asyncio.gather(
            *(instance.turns.handle(inbound) for instance in [app, *others] for _ in range(2))
        )
    finally:
        for other in others:
            await other.close()
    assert sorted(len(ids) for ids in results) == [0] * 7 + [1]
    assert await count(app, OutboxMessage) == 1
    assert await count(app, ProcessedUpdate) == 1
    assert await count(app, User) == 1
    async with app.database.transaction() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None and conversation.version == 1  # the engine ran once
    replies = channel.take("u7")  # type: ignore[attr-defined]
    assert len(replies) == 1 and len(replies[0].all_choices()) == 6


@pytest.mark.parametrize(
    ("role", "data"),
    [
        *(
            (VOLUNTEER, data)
            for data in [
                "rsvp:99999:yes",
                "guests:99999:2",
                "survey:x",
                "surveytext:x",
                "meetedit:99999:cancel",
                "bcstop:x",
                "cmd:x",
                "lang:xx",
                "zz:" + "q" * 61,
            ]
        ),
        (STAFF, "bcstop:99999"),
        (STAFF, "survey:99999:1"),
        (VOLUNTEER, "rsvp:x:yes"),
        (VOLUNTEER, "rsvp:1"),
        (VOLUNTEER, "guests:x:y"),
        (STAFF, "bcstop:x"),
        (STAFF, "meetedit:x"),
        (STAFF, "meetedit:99999:cancel"),
    ],
)
async def test_a_forged_button_press_is_refused_and_never_fails_the_turn(
    app: App, role: str, data: str
) -> None:
    """Callback data comes from the client: whatever it holds, the person gets a polite answer,
    not the apology for a failed turn (section 4 of the architecture)."""
    chat = Chat(app, "admin" if role == STAFF else "v1", language_code="en")
    await onboard(chat, "English", "en", role=role)
    await chat.press_data(data)
    assert chat.replies, data
    assert app.catalogs.translator("en").gettext(APOLOGY) not in [r.text for r in chat.replies]
