"""A world to act in (people of every role and language, a meeting, surveys, applications), and
the checks that hold after every step: no failed turn, no error logged, answers Telegram takes."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.db.models import Conversation, OutboxMessage
from bot.services.people import users
from bot.settings import Settings
from conversations.messages import Reply
from tests.chat import Chat
from tests.conversations.grants.test_application import add_item, fill_until_costs
from tests.conversations.meetings.test_invitations import plan
from tests.conversations.outreach.test_survey import ask
from tests.conversations.people.test_onboarding import LANGUAGE_BUTTONS, gettext, onboard
from tests.property.strategies import LOCALES, apologies, reply_problems

LANGUAGE = dict(zip(LOCALES, LANGUAGE_BUTTONS, strict=True))
ROLE_BUTTON = {
    "newcomer": "I am new in the district",
    "volunteer": "I volunteer",
    "staff": "I work for the district office",
    "admin": "I work for the district office",
}


def world_settings(url: str, tmp: Path) -> Settings:
    return replace(
        Settings(),
        database_url=url,
        admins=frozenset(f"memory:admin-{locale}" for locale in LOCALES),
        flood_per_minute=600_000,
        flood_burst=100_000,
        signal_spool=tmp / "signal-spool.jsonl",
    )


class Failures(logging.Handler):
    """Every ERROR record (a failed turn, a failed job) while a sequence runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        described = [describe(record) for record in self.records]
        self.records = []
        return described


def describe(record: logging.LogRecord) -> str:
    """The log line with the last frames of its traceback: where it broke."""
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = traceback.extract_tb(error.__traceback__)[-3:]
        where = "; ".join(
            f"{f.filename.split('/work/main/')[-1]}:{f.lineno} {f.name}" for f in frames
        )
        text += f" -> {type(error).__name__}: {str(error)[:300]} at {where}"
    return text


@contextmanager
def failures_logged() -> Iterator[Failures]:
    handler = Failures()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def all_apologies(app: App) -> set[str]:
    return apologies({locale: app.catalogs.translator(locale) for locale in LOCALES})


def problems_of(replies: list[Reply], apology: set[str]) -> list[str]:
    return [
        f"{reply.text[:120]!r}: {problem}"
        for reply in replies
        for problem in reply_problems(reply, apology=apology)
    ]


async def seed_world(app: App, *, office: str) -> None:
    """What the flows act on: two applications (one approved, one waiting), a meeting open to
    newcomers with few places, and a survey by choices and one in own words, sent to everyone.
    `office` (staff, English, set up) does it."""
    staff = Chat(app, office, language_code="en", display_name="Petra")
    en = gettext(app, "en")
    for locale in ("de", "ar"):
        volunteer = Chat(app, f"volunteer-{locale}", language_code=locale)
        _ = gettext(app, locale)
        await fill_until_costs(volunteer, locale)
        await add_item(volunteer, locale, "Room costs for joint events", "Saal", "500")
        await volunteer.press(_("The cost plan is complete"))
        await volunteer.press(_("Continue"))
        await volunteer.press(_("I confirm all three and submit"))
    await staff.send("/review")
    await staff.press(staff.labels[0])
    approve = en("Approve {amount}").split("{", 1)[0]
    await staff.press(
        next(
            label
            for label in staff.labels
            if label.startswith(approve) and label != en("Approve a lower amount")
        )
    )
    await staff.press(en("Yes, approve"))
    await plan(staff, newcomers=True, capacity="3")
    await ask(staff, role="Everyone")
    await ask(staff, options=None, role="Everyone")


async def set_up(app: App, address: str, locale: str, role: str) -> None:
    chat = Chat(app, address, language_code=locale, display_name=address.title())
    await onboard(chat, LANGUAGE[locale], locale, role=ROLE_BUTTON[role])


async def state_problems(app: App, *, channel: str, address: str) -> list[str]:
    """The stored conversation loads again: a known flow and step, and data that is JSON."""
    async with app.database.transaction() as session:
        user = await users.find(session, channel=channel, external_id=address)
        if user is None:  # erased with /deletemydata, or never set up
            return []
        conversation = await session.get(Conversation, user.id)
        if conversation is None or conversation.flow is None:
            return []
        problems = []
        if conversation.flow not in app.engine.flows:
            problems.append(f"stored flow {conversation.flow!r} is unknown")
        if conversation.step is None:
            problems.append(f"flow {conversation.flow!r} without a step")
        try:
            json.loads(json.dumps(conversation.data))
        except (TypeError, ValueError) as error:
            problems.append(f"state data is not JSON: {error}")
        return problems


async def outbox_problems(app: App, apology: set[str]) -> list[str]:
    """Every message still queued or sent (announcements too) is one Telegram would take."""
    async with app.database.transaction() as session:
        payloads = (await session.scalars(select(OutboxMessage.payload))).all()
    problems = []
    for payload in payloads:
        try:
            reply = Reply.from_payload(payload)
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"outbox payload does not load: {error}")
            continue
        problems += problems_of([reply], apology)
    return problems
