"""Random sequences of what people do, through the engine and the memory channel, in every role
and language: no turn fails, no error is logged, every answer is one Telegram takes (HTML, length
after the split, button data), and the stored conversation loads again afterwards.

`make test` runs a small profile; HYPOTHESIS_PROFILE=long runs thousands of sequences (README).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import Conversation
from bot.services.people import users
from bot.settings import Settings
from conversations.engine import Engine
from conversations.flow import Context
from conversations.messages import Attachment, Choice, Inbound, InboundKind, Reply
from tests.conftest import FakeClock
from tests.property.people import (
    all_apologies,
    failures_logged,
    outbox_problems,
    problems_of,
    seed_world,
    set_up,
    state_problems,
    world_settings,
)
from tests.property.strategies import (
    LOCALES,
    LONG,
    ROLES,
    Again,
    Command,
    Event,
    Forge,
    Press,
    PressStale,
    Say,
    SendFile,
    SendOther,
    Tamper,
    events,
    reply_problems,
    tampered,
)

EXAMPLES = 2000 if LONG else 25
STEPS = 100 if LONG else 40
OFFICE = "admin-en"


@dataclass
class World:
    """A migrated and seeded SQLite file that every sequence starts from, a copy each time, and
    the buttons each person was shown while it was made."""

    template: Path
    settings: Settings
    seen: dict[str, list[str]]
    shown: dict[str, list[str]]
    work: Path


async def _make_world(
    url: str, base: Settings
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    app = App(replace(base, database_url=url), clock=FakeClock())
    channel = MemoryChannel()
    app.dispatcher.add_channel(channel)
    try:
        async with app.database.transaction() as session:
            for locale in LOCALES:
                await users.set_staff(
                    session,
                    channel="memory",
                    external_id=f"staff-{locale}",
                    staff=True,
                    actor="test",
                    default_locale=locale,
                    now=app.clock.now(),
                )
        for locale in LOCALES:
            for role in ROLES[1:]:
                await set_up(app, f"{role}-{locale}", locale, role)
        await seed_world(app, office=OFFICE)
        seen: dict[str, list[str]] = {}
        shown: dict[str, list[str]] = {}
        for address in list(channel.sent):
            replies = channel.take(address)
            seen[address] = [c.data for reply in replies for c in reply.all_choices()]
            with_buttons = [reply for reply in replies if reply.choices]
            shown[address] = (
                [c.data for c in with_buttons[-1].all_choices()] if with_buttons else []
            )
        return seen, shown
    finally:
        await app.close()


@pytest.fixture(scope="session")
def world(migrated_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("property-world")
    template = folder / "world.sqlite3"
    shutil.copyfile(migrated_urls["sqlite"].split("///", 1)[1], template)
    base = world_settings(f"sqlite+aiosqlite:///{template}", folder)
    seen, shown = asyncio.run(_make_world(base.database_url, base))
    return World(template, base, seen, shown, folder / "sequence.sqlite3")


_keys = itertools.count(1)
_files = itertools.count(1)


@dataclass
class Person:
    """One person acting on the memory channel, and what they have been shown."""

    app: App
    channel: MemoryChannel
    address: str
    locale: str
    apology: set[str]
    seen: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    last: Inbound | None = None
    transcript: list[str] = field(default_factory=list)  # what was sent, for a failure
    visited: set[str] = field(default_factory=set)  # flow.step reached, for the statistics

    def inbound(self, kind: InboundKind, **fields: object) -> Inbound:
        return Inbound(
            channel="memory",
            external_id=self.address,
            kind=kind,
            update_key=f"memory:p{next(_keys)}",
            language_code=self.locale,
            display_name=self.address.title(),
            **fields,  # type: ignore[arg-type]
        )

    def concrete(self, event: Event) -> Inbound | None:
        """The update this event is, for this person now; None when there is nothing to do it
        with (no button shown yet)."""
        match event:
            case Say(text) if text.startswith("/"):
                name, _, args = text[1:].partition(" ")
                return self.inbound(InboundKind.COMMAND, command=name, args=args, text=text)
            case Say(text):
                return self.inbound(InboundKind.TEXT, text=text)
            case Command(name, args):
                text = f"/{name} {args}".strip()
                return self.inbound(InboundKind.COMMAND, command=name, args=args, text=text)
            case Press(index):
                if not self.shown:
                    return None
                return self.inbound(InboundKind.CHOICE, data=self.shown[index % len(self.shown)])
            case PressStale(index):
                if not self.seen:
                    return None
                return self.inbound(InboundKind.CHOICE, data=self.seen[index % len(self.seen)])
            case Forge(data):
                return self.inbound(InboundKind.CHOICE, data=data)
            case Tamper(index, number):
                if not self.seen:
                    return None
                data = tampered(self.seen[index % len(self.seen)], number)
                return self.inbound(InboundKind.CHOICE, data=data)
            case SendFile(kind, name, size, mime_type, content):
                ref = f"file-{next(_files)}"
                self.channel.files[ref] = content
                attachment = Attachment(ref, name=name, mime_type=mime_type, size=size)
                return self.inbound(kind, attachment=attachment)
            case SendOther(kind):
                attachment = (
                    Attachment(f"file-{next(_files)}", mime_type="audio/ogg", size=3)
                    if kind in (InboundKind.VOICE, InboundKind.VIDEO, InboundKind.STICKER)
                    else None
                )
                return self.inbound(kind, attachment=attachment)
            case Again(text):
                if self.last is None:
                    return None
                return replace(self.last, text=text or self.last.text)
        raise AssertionError(event)

    async def act(self, event: Event) -> list[str]:
        inbound = self.concrete(event)
        if inbound is None:
            return []
        what = inbound.text or inbound.data or inbound.attachment or ""
        self.transcript.append(f"{inbound.kind.value} {what!r}"[:300])
        redelivered = isinstance(event, Again)
        self.last = inbound
        await self.app.turns.handle(inbound)
        async with self.app.database.transaction() as session:
            user = await users.find(session, channel="memory", external_id=self.address)
            conversation = await session.get(Conversation, user.id) if user else None
            if conversation is not None and conversation.flow is not None:
                self.visited.add(f"{conversation.flow}.{conversation.step}")
        return self.look(redelivered=redelivered)

    def look(self, *, redelivered: bool = False) -> list[str]:
        """Check what everyone was sent in this turn, and remember this person's buttons."""
        problems: list[str] = []
        everyone: list[Reply] = []
        for address in list(self.channel.sent):
            replies = self.channel.take(address)
            everyone += replies
            if address == self.address:
                if redelivered and replies:
                    problems.append(f"a redelivered update was answered again: {replies}")
                self.remember(replies)
        for address in list(self.channel.edited):
            edited = list(self.channel.edited.pop(address).values())
            everyone += edited
            if address == self.address:
                self.seen += [c.data for reply in edited for c in reply.all_choices()]
        return problems + problems_of(everyone, self.apology)

    def remember(self, replies: list[Reply]) -> None:
        self.seen += [c.data for reply in replies for c in reply.all_choices()]
        with_buttons = [reply for reply in replies if reply.choices]
        if with_buttons:
            self.shown = [c.data for c in with_buttons[-1].all_choices()]


async def run_sequence(world: World, role: str, locale: str, steps: list[Event]) -> set[str]:
    """Run the steps as this person; returns the flows and steps they reached."""
    shutil.copyfile(world.template, world.work)
    app = App(
        replace(world.settings, database_url=f"sqlite+aiosqlite:///{world.work}"),
        clock=FakeClock(),
    )
    channel = MemoryChannel()
    app.dispatcher.add_channel(channel)
    address = f"{role}-{locale}"
    person = Person(
        app,
        channel,
        address,
        locale,
        all_apologies(app),
        seen=list(world.seen.get(address, [])),
        shown=list(world.shown.get(address, [])),
    )
    try:
        with failures_logged() as failures:
            for number, event in enumerate(steps):
                problems = await person.act(event) + failures.take()
                assert not problems, (
                    f"{address}, step {number} {event!r}:\n"
                    + "\n".join(problems)
                    + "\nsent:\n"
                    + "\n".join(person.transcript)
                )
            # A fresh turn after it all: the stored state loads and the question is asked again.
            problems = await state_problems(app, channel="memory", address=address)
            await app.turns.handle(person.inbound(InboundKind.RESUME))
            problems += person.look() + failures.take()
            problems += await outbox_problems(app, person.apology)
            assert not problems, "after the sequence:\n" + "\n".join(problems)
        return person.visited
    finally:
        await app.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    role=st.sampled_from(ROLES),
    locale=st.sampled_from(LOCALES),
    steps=st.lists(events(), min_size=STEPS // 2, max_size=STEPS),
)
def test_no_sequence_of_inputs_fails_a_turn_or_makes_an_answer_telegram_refuses(
    world: World, role: str, locale: str, steps: list[Event]
) -> None:
    for step in sorted(asyncio.run(run_sequence(world, role, locale, steps))):
        event(step)


# --- the checks themselves can fail ------------------------------------------------------


def test_the_checks_find_what_telegram_refuses(world: World) -> None:
    apology = {"Sorry"}
    assert reply_problems(Reply("<b>fine</b> &amp; ok"), apology=apology) == []
    assert reply_problems(Reply("x\n" * 5000), apology=apology) == []  # split below the limit
    for bad in ("<b>unclosed", "a & b", "<script>x</script>", " \n ", "Sorry"):
        assert reply_problems(Reply(bad), apology=apology), bad
    unlabelled = Reply("Choose", choices=((Choice(" ", "x:1"),),))
    assert reply_problems(unlabelled, apology=apology)


def test_a_failing_turn_fails_the_sequence(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    handle = Engine.handle

    async def failing(self: Engine, ctx: Context) -> None:
        if ctx.inbound.text == "boom":
            raise RuntimeError("boom")
        await handle(self, ctx)

    monkeypatch.setattr(Engine, "handle", failing)
    asyncio.run(run_sequence(world, "volunteer", "fa", [Say("fine")]))
    with pytest.raises(AssertionError, match="apology for a failed turn") as failed:
        asyncio.run(run_sequence(world, "volunteer", "fa", [Say("fine"), Say("boom")]))
    assert "RuntimeError: boom" in str(failed.value)
