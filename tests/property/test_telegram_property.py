"""The same random sequences through the real Telegram channel against the fake Bot API, which
refuses what Telegram refuses: a few hundred updates from people of every role, on SQLite and on
PostgreSQL when TEST_DATABASE_URL is set. Edited messages come too (the bot ignores them)."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import InboxMessage, OutboxMessage
from bot.services.people import users
from conversations.messages import Inbound, InboundKind
from tests.chat import Chat
from tests.conftest import ENGINES, _empty_postgresql
from tests.conversations.meetings.test_invitations import plan
from tests.conversations.outreach.test_survey import ask
from tests.conversations.people.test_onboarding import gettext, onboard
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.property.people import (
    LANGUAGE,
    ROLE_BUTTON,
    Failures,
    all_apologies,
    failures_logged,
    outbox_problems,
    state_problems,
    world_settings,
)
from tests.property.strategies import (
    LOCALES,
    LONG,
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
    tampered,
)

EXAMPLES = 20 if LONG else 2
EVENTS = 300 if LONG else 120
ROLES = ("newcomer", "volunteer", "staff", "admin", "new")
FIRST_ID = 2001


@dataclass
class TelegramPerson:
    user_id: int
    role: str
    locale: str
    seen: list[tuple[int, str]] = field(default_factory=list)  # (message id, data)
    last_text: tuple[int, str] | None = None  # their last message: (message id, text)


class Watch:
    """A running bot against the fake, its people, and the checks after each update."""

    def __init__(self, fake: FakeBotApi, app: App, failures: Failures) -> None:
        self.fake, self.app, self.failures = fake, app, failures
        self.apology = all_apologies(app)
        self.checked: dict[int, int] = {}

    async def settle(self) -> None:
        """Wait until every update is stored and its turn done, and every reply is sent."""
        deadline = time.monotonic() + 60
        while True:
            if not self.fake.updates_pending() and not self.fake.unanswered_callbacks():
                async with self.app.database.transaction() as session:
                    waiting = await session.scalar(
                        select(func.count())
                        .select_from(InboxMessage)
                        .where(InboxMessage.status == "pending")
                    )
                    errors = (
                        await session.scalars(
                            select(InboxMessage.last_error).where(
                                InboxMessage.last_error.is_not(None)
                            )
                        )
                    ).all()
                    sending = await session.scalar(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(
                            OutboxMessage.status.in_(("pending", "sending")),
                            OutboxMessage.channel == "telegram",
                            OutboxMessage.next_attempt_at <= datetime.now(UTC),
                        )
                    )
                if errors:
                    raise AssertionError(
                        f"a turn failed: {errors}\n" + "\n".join(self.failures.take())
                    )
                if not waiting and not sending:
                    return
            assert time.monotonic() < deadline, "the bot did not settle in a minute"
            await asyncio.sleep(0.02)

    async def check(self, what: str) -> None:
        await self.settle()
        problems = [f"Telegram refused {r.method}: {r.error}" for r in self.fake.rejected]
        self.fake.rejected.clear()
        for chat_id in range(FIRST_ID, FIRST_ID + len(ROLES)):
            messages = self.fake.messages(chat_id)
            for message in messages[self.checked.get(chat_id, 0) :]:
                if message.text in self.apology:
                    problems.append(f"chat {chat_id} got the apology for a failed turn")
                if any(len(data.encode()) > 64 for _, data in message.buttons()):
                    problems.append(f"button data over 64 bytes: {message.buttons()}")
            self.checked[chat_id] = len(messages)
        problems += self.failures.take()
        assert not problems, f"{what}:\n" + "\n".join(problems)

    def latest_with_buttons(self, person: TelegramPerson) -> tuple[int, list[str]] | None:
        for message in reversed(self.fake.messages(person.user_id)):
            if message.buttons():
                return message.message_id, [data for _, data in message.buttons()]
        return None

    def latest_message(self, person: TelegramPerson) -> int | None:
        messages = self.fake.messages(person.user_id)
        return messages[-1].message_id if messages else None

    def remember(self, person: TelegramPerson) -> None:
        known = set(person.seen)
        for message in self.fake.messages(person.user_id):
            for _, data in message.buttons():
                if (message.message_id, data) not in known:
                    person.seen.append((message.message_id, data))
                    known.add((message.message_id, data))

    async def set_up(self, person: TelegramPerson) -> None:
        _ = gettext(self.app, person.locale)
        self.fake.send_text(person.user_id, "/start")
        await self.check("/start")
        for label in (LANGUAGE[person.locale], _(ROLE_BUTTON[person.role]), "Parchim"):
            await self.press_label(person, label)
        await self.press_label(person, _("I agree"))

    async def press_label(self, person: TelegramPerson, label: str) -> None:
        latest = self.latest_with_buttons(person)
        assert latest is not None, f"no buttons for {person}"
        self.fake.press_button(person.user_id, latest[0], label=label)
        await self.check(f"pressing {label}")

    def send(self, person: TelegramPerson, event: Event) -> bool:
        """Send the update this event is; False when there is nothing to do it with."""
        fake, user_id = self.fake, person.user_id
        press_on = self.latest_message(person)
        match event:
            case Say(text) | Command(text, _) if not text.strip():
                return False
            case Say(text):
                update_id = fake.send_text(user_id, text[:4096])
                [sent] = [u for u in fake._updates if u["update_id"] == update_id]
                person.last_text = (sent["message"]["message_id"], text[:4096])
            case Command(name, args):
                fake.send_text(user_id, f"/{name} {args}".strip()[:4096])
            case Press(index):
                latest = self.latest_with_buttons(person)
                if latest is None:
                    return False
                message_id, data = latest
                fake.press_button(user_id, message_id, data[index % len(data)], check=False)
            case PressStale(index) | Tamper(index, _) if not person.seen:
                return False
            case PressStale(index):
                message_id, data = person.seen[index % len(person.seen)]
                fake.press_button(user_id, message_id, data, check=False)
            case Tamper(index, number):
                message_id, data = person.seen[index % len(person.seen)]
                fake.press_button(user_id, message_id, tampered(data, number), check=False)
            case Forge(data) if press_on is not None:
                fake.press_button(user_id, press_on, data, check=False)
            case Forge(_):
                return False
            case SendFile(kind=InboundKind.PHOTO):
                fake.send_photo(user_id, caption="Beleg")
            case SendFile(_, name, _, mime_type, content):
                fake.send_document(
                    user_id,
                    file_name=name or "file",
                    mime_type=mime_type or "application/octet-stream",
                    data=content,
                )
            case SendOther(InboundKind.STICKER):
                fake.send_sticker(user_id)
            case SendOther(InboundKind.VOICE | InboundKind.VIDEO):
                fake.send_voice(user_id)
            case SendOther(InboundKind.LOCATION):
                fake.send_location(user_id)
            case SendOther(InboundKind.CONTACT):
                fake._message(user_id, contact={"phone_number": "+4917612345", "first_name": "X"})
            case SendOther(_):
                fake._message(user_id, dice={"emoji": "🎲", "value": 3})
            case Again(text):
                if person.last_text is None:
                    return False
                fake.enqueue_update({"edited_message": self._edited(person, text)})
        return True

    def _edited(self, person: TelegramPerson, text: str) -> dict[str, Any]:
        assert person.last_text is not None
        message_id, before = person.last_text
        return {
            "message_id": message_id,
            "date": int(time.time()) - 5,
            "edit_date": int(time.time()),
            "chat": {"id": person.user_id, "type": "private", "first_name": "Test"},
            "from": {"id": person.user_id, "is_bot": False, "first_name": "Test"},
            "text": (text or before + " (edited)")[:4096] or "edited",
        }


async def seed(app: App) -> None:
    """A meeting open to newcomers and two surveys to everyone, from an office on the memory
    channel, so that the Telegram people have invitations and questions to act on."""
    app.dispatcher.add_channel(MemoryChannel())
    app.scheduler.pause()  # the office's replies come from its turns, not a dispatcher round
    office = Chat(app, "office", language_code="en", display_name="Petra")
    await onboard(office, "English", "en", role="I work for the district office")
    day = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    await plan(office, newcomers=True, capacity="2", day=day)
    await ask(office, role="Everyone")
    await ask(office, options=None, role="Everyone")
    app.scheduler.resume()


async def run_telegram_sequence(
    url: str, folder: Path, locales: list[str], steps: list[tuple[int, Event]]
) -> None:
    async with FakeBotApi() as fake:
        people = [
            TelegramPerson(FIRST_ID + number, role, locale)
            for number, (role, locale) in enumerate(zip(ROLES, locales, strict=True))
        ]
        for person in people:
            fake.add_user(
                person.user_id, first_name=f"P{person.user_id}", language_code=person.locale
            )
        admins = {f"telegram:{p.user_id}" for p in people if p.role == "admin"} | {"memory:office"}
        base = world_settings(url, folder)
        bot = RunningBot(
            replace(
                base,
                telegram_token=fake.token,
                telegram_api_base_url=fake.base_url,
                admins=frozenset(admins),
            ),
            fake,
        )
        app = await bot.start()
        try:
            async with app.database.transaction() as session:
                for person in people:
                    if person.role == "staff":
                        await users.set_staff(
                            session,
                            channel="telegram",
                            external_id=str(person.user_id),
                            staff=True,
                            actor="test",
                            default_locale=person.locale,
                            now=app.clock.now(),
                        )
            with failures_logged() as failures:
                watch = Watch(fake, app, failures)
                for person in people:
                    if person.role != "new":
                        await watch.set_up(person)
                await seed(app)
                await watch.check("the office's meeting and surveys")
                for number, (index, event) in enumerate(steps):
                    person = people[index]
                    for other in people:
                        watch.remember(other)
                    if watch.send(person, event):
                        note(f"{number}: {person.role}-{person.locale} {event!r}")
                        await watch.check(f"step {number}: {person.role} {event!r}")
                problems: list[str] = []
                for person in people:
                    problems += await state_problems(
                        app, channel="telegram", address=str(person.user_id)
                    )
                    await app.turns.handle(
                        Inbound(
                            channel="telegram",
                            external_id=str(person.user_id),
                            kind=InboundKind.RESUME,
                            update_key=f"resume:{person.user_id}",
                        )
                    )
                await watch.check("a fresh turn for each after the sequence")
                problems += await outbox_problems(app, watch.apology)
                assert not problems, "after the sequence:\n" + "\n".join(problems)
        finally:
            await bot.stop()


def fresh_database(engine: str, migrated_urls: dict[str, str], folder: Path) -> str:
    if engine == "postgresql":
        asyncio.run(_empty_postgresql(migrated_urls["postgresql"]))
        return migrated_urls["postgresql"]
    copy = folder / "telegram.sqlite3"
    shutil.copyfile(migrated_urls["sqlite"].split("///", 1)[1], copy)
    return f"sqlite+aiosqlite:///{copy}"


@pytest.mark.parametrize("engine", ENGINES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # A Telegram sequence takes a minute: the failing one is printed as it is, not shrunk (the
    # memory channel's test shrinks the same events).
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    locales=st.lists(st.sampled_from(LOCALES), min_size=len(ROLES), max_size=len(ROLES)),
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(ROLES) - 1), events(text_limit=4096)),
        min_size=EVENTS // 2,
        max_size=EVENTS,
    ),
)
def test_random_updates_through_telegram_fail_no_turn_and_no_request(
    engine: str,
    migrated_urls: dict[str, str],
    tmp_path: Path,
    locales: list[str],
    steps: list[tuple[int, Event]],
) -> None:
    url = fresh_database(engine, migrated_urls, tmp_path)
    asyncio.run(run_telegram_sequence(url, tmp_path, locales, steps))
