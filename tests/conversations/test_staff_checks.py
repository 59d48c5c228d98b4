"""Staff checks without gaps, over every staff command, staff flow and action button the engine
knows (read from its registry, so a new one is covered or fails here until it is): a volunteer
who replays them, a member of staff whose role was taken away with a stale button in hand, and
an applicant who is staff are all refused, and none of them reads anything of anyone else."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.html import html_to_plain
from bot.db.models import (
    Application,
    ChannelIdentity,
    Conversation,
    Decision,
    Meeting,
    Question,
    Rsvp,
    Survey,
    SurveyAnswer,
)
from bot.services.grants.records import DECISIONS
from conversations.commands import build_engine
from conversations.messages import Reply
from tests.chat import Chat
from tests.conversations.grants.test_review import staff_member, submitted
from tests.conversations.grants.test_review_own import decide_as, make_staff
from tests.conversations.meetings.test_invitations import person, plan
from tests.conversations.outreach.test_survey import question_of
from tests.conversations.people.test_onboarding import gettext

ENGINE = build_engine()
STAFF_COMMANDS = sorted(name for name, c in ENGINE.commands.items() if c.permission is not None)
STAFF_FLOWS = sorted(name for name, flow in ENGINE.flows.items() if flow.permission is not None)
ACTIONS = sorted(ENGINE.actions)

# A button of every action, forged with the ids of real records that are not the person's:
# the meeting of another region, the survey sent to newcomers only, a broadcast.
FORGED = {
    "rsvp": "rsvp:{meeting}:yes",
    "guests": "guests:{meeting}:1",
    "meetedit": "meetedit:{meeting}",
    "bcstop": "bcstop:1",
    "survey": "survey:{survey}:0",
    "surveytext": "surveytext:{survey}",
    # A newcomer's question to the office: staff buttons, and the newcomer's own.
    "qshow": "qshow:{question}",
    "qtake": "qtake:{question}",
    "qanswer": "qanswer:{question}",
    "qclose": "qclose:{question}",
    "qreply": "qreply:{question}",
    "qsolved": "qsolved:{question}",
    "qtopic": "qtopic:draft:{question}",
}
# Where each staff flow is entered, so that its buttons are pressed after the role is gone.
STAFF_FLOW_ENTRIES = {
    "review": "/review",
    "new_meeting": "/newmeeting",
    "attendees": "/attendees",
    "broadcast": "/broadcast",
    "new_survey": "/survey",
    "results": "/results",
    "change_meeting": "meetedit",
    "contacts": "/info topic:contacts",  # a staff button inside /info
    "answer_question": "qanswer",
    "close_question": "qclose",
}
ENTRIES = [f"/{name}" for name in STAFF_COMMANDS] + ACTIONS + ["/info topic:contacts"]

SURVEY_QUESTION = "Welche Unterstützung fehlt Ihnen in Hagenow?"
SURVEY_ANSWER = "Abends Kinderbetreuung während der Kurse"
OFFICE_QUESTION = "Darf meine Frau den Deutschkurs in Hagenow besuchen?"
# What belongs to other people: the application (name, contact, title, description, amount),
# the survey sent to newcomers and a newcomer's answer to it.
SECRETS = (
    "Vera Schulz",
    "vera@example.org",
    "Deutsch-Café",
    "Wöchentliches Treffen",
    "€500.00",
    SURVEY_QUESTION,
    SURVEY_ANSWER,
    OFFICE_QUESTION,
)
STAFF_ONLY = "Sorry, only staff of the district office can do that."
REFUSALS = (
    STAFF_ONLY,
    "That button is no longer valid.",
    "That button belongs to an earlier question. Please answer this one:",
    "This meeting is not for your group.",
)


@dataclass
class World:
    admin: Chat
    applicant: Chat
    ids: dict[str, int]

    def forged(self, prefix: str) -> str:
        return FORGED[prefix].format(**self.ids)


async def world(app: App) -> World:
    """An application by Vera, a survey to newcomers answered by one of them, a meeting of
    another region: what the people below must not see."""
    admin = await staff_member(app)
    applicant = await submitted(app, "de", "v-de")
    newcomer = await person(app, "n-de", "de", role="I am new in the district", region="Hagenow")
    en = gettext(app, "en")
    await admin.send("/survey")
    await admin.send(SURVEY_QUESTION)
    await admin.press(en("In their own words"))
    await admin.press(en("Newcomers"))
    await admin.press(en("Done"))
    await admin.press(en("Done"))
    await admin.press(en("{count} days").replace("{count}", "7"))
    await admin.press(en("Send"))
    await admin.press(en("Yes, send"))
    question_of(newcomer)
    await newcomer.press(gettext(app, "de")("Write my answer"))
    await newcomer.send(SURVEY_ANSWER)
    await plan(admin, regions=("Hagenow",), title="Vernetzungstreffen Hagenow")
    await newcomer.send("/ask")
    await newcomer.send(OFFICE_QUESTION)
    await newcomer.press(gettext(app, "de")("Send to the office"))
    async with app.database.transaction() as session:
        meeting = await session.scalar(select(Meeting.id))
        survey = await session.scalar(select(Survey.id))
        application = await session.scalar(select(Application.id))
        question = await session.scalar(select(Question.id))
        assert (await session.get_one(Survey, survey)).total == 1
    assert meeting and survey and application and question
    ids = {"meeting": meeting, "survey": survey, "app": application, "question": question}
    return World(admin, applicant, ids)


async def volunteer(app: App) -> Chat:
    return await person(app, "v-en", "en")


async def removed_staff(app: App) -> Chat:
    """Rolf, staff now (the role is taken away by the test)."""
    await make_staff(app, "staff-rolf")
    return await person(app, "staff-rolf", "en", role="I work for the district office")


def seen(replies: list[Reply]) -> str:
    """Everything the person got: texts, button labels and the files' contents."""
    parts = []
    for reply in replies:
        parts.append(html_to_plain(reply.text))
        parts += [choice.label for choice in reply.all_choices()]
        if reply.document is not None:
            parts.append(reply.document.content.decode("utf-8", "replace"))
    return "\n".join(parts)


def assert_nothing_of_others(replies: list[Reply]) -> None:
    text = seen(replies)
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"{leaked} in {text!r}"


async def nothing_changed(app: App, chat: Chat) -> None:
    """No decision, no answer and no RSVP came from the refused presses."""
    async with app.database.transaction() as session:
        person_id = await session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == chat.address)
        )
        assert await session.scalar(select(Application.status)) == "submitted"
        assert await session.scalar(select(func.count()).select_from(Decision)) == 0
        for table in (Rsvp, SurveyAnswer):
            count = select(func.count()).select_from(table).where(table.user_id == person_id)
            assert await session.scalar(count) == 0


async def open_flow(app: App, chat: Chat) -> str | None:
    async with app.database.transaction() as session:
        return await session.scalar(
            select(Conversation.flow)
            .join(ChannelIdentity, ChannelIdentity.user_id == Conversation.user_id)
            .where(ChannelIdentity.external_id == chat.address)
        )


def test_the_registry_is_enumerated_and_every_staff_flow_has_an_entry() -> None:
    assert {
        "review",
        "newmeeting",
        "attendees",
        "broadcast",
        "survey",
        "results",
        "stats",
        "export",
        "staff",
        "questions",
    } <= set(STAFF_COMMANDS)
    assert set(ACTIONS) == set(FORGED), "a new action needs its forged button here"
    assert set(STAFF_FLOWS) == set(STAFF_FLOW_ENTRIES), "a new staff flow needs its entry here"
    assert set(STAFF_FLOW_ENTRIES.values()) <= set(ENTRIES)


async def test_a_volunteer_replaying_every_staff_command_and_forged_button_is_refused(
    app: App,
) -> None:
    made = await world(app)
    chat = await volunteer(app)
    en = gettext(app, "en")
    for command in STAFF_COMMANDS:
        for attempt in (f"/{command}", f"cmd:{command}"):
            if attempt.startswith("/"):
                await chat.send(attempt)
            else:
                await chat.press_data(attempt)
            assert chat.replies[0].text == en(STAFF_ONLY), attempt
            assert_nothing_of_others(chat.replies)
    for prefix in ACTIONS:
        await chat.press_data(made.forged(prefix))
        assert chat.replies[0].text in [en(refusal) for refusal in REFUSALS], prefix
        assert_nothing_of_others(chat.replies)
    await nothing_changed(app, chat)


@pytest.mark.parametrize("entry", ENTRIES)
async def test_a_removed_staff_member_with_a_stale_button_is_refused(app: App, entry: str) -> None:
    made = await world(app)
    chat = await removed_staff(app)
    en = gettext(app, "en")

    # While staff: open the command or press the button, and one button further.
    opening = entry if entry.startswith("/") else made.forged(entry)
    if entry.startswith("/"):
        command, _, button = opening.partition(" ")
        await chat.send(command)
        if button:
            opening = button
            await chat.press_data(button)
    else:
        await chat.press_data(opening)
    flow = next((f for f, e in STAFF_FLOW_ENTRIES.items() if e == entry), None)
    if flow is not None:
        assert await open_flow(app, chat) == flow
    stale = [c.data for r in chat.replies for c in r.all_choices() if not c.data.startswith("cmd:")]
    if stale:
        await chat.press_data(stale[0])
        stale += [
            c.data for r in chat.replies for c in r.all_choices() if not c.data.startswith("cmd:")
        ]

    await make_staff(app, "staff-rolf", staff=False)
    if await open_flow(app, chat) in STAFF_FLOWS:  # the next press or answer in the open flow
        latest = [c.data for c in chat.choices if not c.data.startswith("cmd:")]
        if latest:
            await chat.press_data(latest[0])
        else:
            await chat.send("Ein Treffen nur für uns")
        assert chat.replies[0].text == en(STAFF_ONLY)
        assert_nothing_of_others(chat.replies)
        assert await open_flow(app, chat) is None
    for data in [*stale, opening]:
        if data.startswith("/"):
            await chat.send(data)
        else:
            await chat.press_data(data)
        assert chat.replies[0].text in [en(refusal) for refusal in REFUSALS], data
        assert_nothing_of_others(chat.replies)
    await nothing_changed(app, chat)


async def test_an_applicant_who_is_staff_cannot_decide_by_any_button_or_call(app: App) -> None:
    made = await world(app)
    await make_staff(app, "v-de")
    applicant, admin = made.applicant, made.admin
    de = gettext(app, "de")

    # Every button kind of /review, as an administrator is shown them.
    await admin.send("/review")
    kinds = [c.data for c in admin.choices if not c.data.startswith("cmd:")]
    await admin.press_data(kinds[0])
    kinds += [c.data for c in admin.choices]
    await admin.send("/cancel")
    kinds += ["report:{app}".format(**made.ids), "checked:accept", "checked:more"]
    assert {k.split(":")[0] for k in kinds} >= {"open", "decide", "report", "checked"}

    await applicant.send("/review")
    assert "Deutsch-Café" in applicant.text  # her own, to read
    assert not [c for c in applicant.choices if not c.data.startswith("cmd:")]
    for data in kinds:
        await applicant.press_data(data)
        assert applicant.replies[0].text in [de(refusal) for refusal in REFUSALS], data
    for kind in DECISIONS:
        assert await decide_as(app, "v-de", kind) == "own_application"
    await nothing_changed(app, applicant)
