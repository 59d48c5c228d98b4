"""Questions to the office that wait are brought to staff again on working days only: a Friday
evening's question on Monday morning, a late one every working morning (never on a weekend or a
public holiday of Mecklenburg-Vorpommern), and the person hears once that it takes longer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.app import App
from bot.db.models import Question, QuestionMessage, User
from bot.services.people.users import find
from bot.settings import Settings
from conversations.messages import Reply
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.people.test_onboarding import onboard

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, ask_answer_days=1)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


async def people(app: App) -> tuple[Chat, Chat]:
    staff = Chat(app, "admin", language_code="en", display_name="Petra")
    await onboard(staff, "English", "en", role="I work for the district office")
    person = Chat(app, "p-en", language_code="en", display_name="Amal")
    await onboard(person, "English", "en", role="I am new in the district")
    staff.channel.take("admin")
    person.channel.take("p-en")
    return staff, person


async def user_id(app: App, address: str, channel: str = "memory") -> int:
    async with app.database.transaction() as session:
        user = await find(session, channel=channel, external_id=address)
        assert user is not None
        return user.id


async def asked(
    app: App, address: str, at: datetime, *, taken_by: int | None = None, channel: str = "memory"
) -> str:
    """A question as /ask stores it, asked at `at`; its reference."""
    asker = await user_id(app, address, channel)
    async with app.database.transaction() as session:
        question = Question(
            user_id=asker,
            locale="en",
            status="taken" if taken_by else "open",
            taken_by=taken_by,
            taken_at=at if taken_by else None,
            created_at=at.astimezone(UTC),
            copy_edits=0,
        )
        session.add(question)
        await session.flush()
        question.reference = f"F-{at.year}-{question.id:04d}"
        session.add(
            QuestionMessage(
                question_id=question.id,
                author_id=asker,
                from_staff=False,
                text="Can my wife join the German course in Lübz?",
                created_at=at,
            )
        )
        return question.reference


class Received(dict[str, list[tuple[str, Reply]]]):
    """For each address, (local "Mon 08:00", message) of every message that reached it."""

    def times(self) -> dict[str, list[str]]:
        return {address: [when for when, _ in got] for address, got in self.items()}

    def texts(self, address: str) -> list[str]:
        return [reply.text for _, reply in self[address]]


async def scan_hourly(
    app: App, clock: FakeClock, chats: list[Chat], start: datetime, end: datetime
) -> Received:
    """Run the reminder scan twice every hour from `start` to `end`."""
    received = Received({chat.address: [] for chat in chats})
    clock._now = start
    while clock.now() <= end:
        await app.send_reminders()
        await app.send_reminders()
        when = clock.now().astimezone(BERLIN).strftime("%a %H:%M")
        for chat in chats:
            received[chat.address] += [(when, r) for r in chat.channel.take(chat.address)]
        clock.advance(hours=1)
    return received


async def test_a_friday_evening_question_comes_back_on_monday_morning_and_daily_once_late(
    app: App, clock: FakeClock
) -> None:
    staff, person = await people(app)
    clock._now = berlin(2026, 11, 27, 18)  # a Friday evening, after closing
    reference = await asked(app, "p-en", clock.now())

    received = await scan_hourly(
        app, clock, [staff, person], berlin(2026, 11, 27, 18), berlin(2026, 11, 30, 8)
    )
    # Not on the weekend: on Monday at opening, once however often the scan runs.
    assert received.times() == {"admin": ["Mon 08:00"], "p-en": []}
    [(_, monday)] = received["admin"]
    assert monday.text == (
        "<b>1 question waits for an answer:</b>\n\n"
        f"• {reference}, asked Fri, Nov 27 while the office was closed.\n\n"
        "Press a question to see it, take it and answer."
    )
    staff.replies = [monday]
    await staff.press(reference)  # the thread, as /questions opens it
    assert staff.text.startswith(f"Question {reference}")
    assert "Can my wife join the German course in Lübz?" in staff.text

    # Promised within one working day: due at Monday's closing, late from Tuesday on.
    received = await scan_hourly(
        app, clock, [staff, person], berlin(2026, 11, 30, 9), berlin(2026, 12, 2, 15)
    )
    assert received.times() == {"admin": ["Tue 08:00", "Wed 08:00"], "p-en": ["Tue 08:00"]}
    assert received.texts("admin")[0] == (
        "<b>1 question waits for an answer:</b>\n\n"
        f"• {reference}, asked Fri, Nov 27, 4 days ago: nobody has taken it, the answer is late."
        "\n\nPress a question to see it, take it and answer."
    )
    [told] = received.texts("p-en")
    assert told == (
        f"Your question {reference} is taking longer than the 1 working day we promised. "
        "The office has been reminded and will answer as soon as it can. "
        "Thank you for your patience."
    )


async def test_late_questions_wait_out_reformation_day_and_easter(
    app: App, clock: FakeClock
) -> None:
    staff, person = await people(app)
    # Thursday before Reformation Day (Friday 31 October 2025), within working hours: due at
    # Monday's closing, so first brought on Tuesday; nothing on the holiday or the weekend.
    await asked(app, "p-en", berlin(2025, 10, 30, 10))
    received = await scan_hourly(
        app, clock, [staff, person], berlin(2025, 10, 30, 10), berlin(2025, 11, 4, 12)
    )
    assert received.times() == {"admin": ["Tue 08:00"], "p-en": ["Tue 08:00"]}

    # Maundy Thursday 2026 after closing: Good Friday and Easter Monday are off, so it comes
    # back on Tuesday morning, and is late from Wednesday.
    await asked(app, "p-en", berlin(2026, 4, 2, 17))
    received = await scan_hourly(
        app, clock, [staff, person], berlin(2026, 4, 2, 17), berlin(2026, 4, 8, 12)
    )
    assert received.times() == {"admin": ["Tue 08:00", "Wed 08:00"], "p-en": ["Wed 08:00"]}


async def test_the_process_starting_late_reminds_at_its_first_scan_in_working_hours(
    app: App, clock: FakeClock
) -> None:
    staff, person = await people(app)
    await asked(app, "p-en", berlin(2026, 11, 25, 10))  # due Thursday 16:00
    received = await scan_hourly(
        app, clock, [staff, person], berlin(2026, 11, 27, 13, 30), berlin(2026, 11, 27, 20)
    )
    assert received.times() == {"admin": ["Fri 13:30"], "p-en": ["Fri 13:30"]}


async def test_a_taken_question_reminds_only_who_took_it_while_they_are_staff(
    app: App, clock: FakeClock
) -> None:
    staff, _ = await people(app)
    colleague = Chat(app, "s2", language_code="en", display_name="Jonas")
    await onboard(colleague, "English", "en")
    colleague_id = await user_id(app, "s2")
    async with app.database.transaction() as session:
        await session.execute(update(User).where(User.id == colleague_id).values(is_staff=True))
    colleague.channel.take("s2")
    reference = await asked(app, "p-en", berlin(2026, 11, 25, 10), taken_by=colleague_id)

    received = await scan_hourly(
        app, clock, [staff, colleague], berlin(2026, 11, 27, 8), berlin(2026, 11, 27, 9)
    )
    assert received.times() == {"admin": [], "s2": ["Fri 08:00"]}
    [reminder] = received.texts("s2")
    assert f"• {reference}, asked Wed, Nov 25, 2 days ago: you took it, the answer is late." in (
        reminder
    )

    # Removed from staff, they are not reminded any more: everyone else is.
    async with app.database.transaction() as session:
        await session.execute(update(User).where(User.id == colleague_id).values(is_staff=False))
    received = await scan_hourly(
        app, clock, [staff, colleague], berlin(2026, 11, 30, 8), berlin(2026, 11, 30, 9)
    )
    assert received.times() == {"admin": ["Mon 08:00"], "s2": []}


async def test_answered_solved_and_closed_questions_are_left_alone(
    app: App, clock: FakeClock
) -> None:
    staff, person = await people(app)
    for status in ("answered", "solved", "closed"):
        await asked(app, "p-en", berlin(2026, 11, 20, 18))
        async with app.database.transaction() as session:
            await session.execute(
                update(Question)
                .where(Question.status == "open")
                .values(status=status, first_answer_at=berlin(2026, 11, 23, 9))
            )
    received = await scan_hourly(
        app, clock, [staff, person], berlin(2026, 11, 23, 8), berlin(2026, 11, 25, 9)
    )
    assert received.times() == {"admin": [], "p-en": []}
