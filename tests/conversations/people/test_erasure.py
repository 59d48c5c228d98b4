"""/mydata with its file and /deletemydata for someone who did everything: afterwards no row
names them but the funding records, marked."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, String, select

from bot.app import App
from bot.db.base import Base
from bot.db.models import (
    Application,
    ChannelIdentity,
    ProcessedUpdate,
    Question,
    ShownChoices,
    User,
)
from conversations.messages import InboundKind
from conversations.people.ports import ERASED
from conversations.people.privacy import PRIVACY_VERSION
from tests.chat import Chat
from tests.conversations.grants.test_application import add_item, fill_until_costs
from tests.conversations.grants.test_report import to_the_receipts
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import invitation_of, plan
from tests.conversations.office.test_ask import notice_of
from tests.conversations.outreach.test_survey import ask as ask_survey
from tests.conversations.outreach.test_survey import question_of
from tests.conversations.people.test_linking import code_of
from tests.conversations.people.test_onboarding import gettext, onboard

TELEGRAM_ID = "5550123456"
SIGNAL_UUID = "8d2f6a1e-3b4c-4d5e-9f60-7a8b9c0d1e2f"
NAME = "Zofia Wiśniewska"
APPLICANT = "Vera Schulz"  # what the wizard helper types as the applicant's name
CONTACT = "vera@example.org"


async def submit(chat: Chat) -> None:
    de = gettext(chat.app, "de")
    await fill_until_costs(chat, "de")
    await add_item(chat, "de", "Room costs for joint events", "Saal", "500")
    await chat.press(de("The cost plan is complete"))
    await chat.press(de("Continue"))
    await chat.press(de("I confirm all three and submit"))


async def someone_who_did_everything(app: App) -> tuple[Chat, Chat]:
    de, en = gettext(app, "de"), gettext(app, "en")
    staff = await staff_member(app)
    person = Chat(app, TELEGRAM_ID, language_code="de", display_name=NAME)
    await onboard(person, "Deutsch", "de")
    await submit(person)
    await submit(person)
    await staff.send("/review")
    await staff.press(staff.labels[0])
    assert APPLICANT in staff.text  # staff were shown the applicant's name
    await staff.press(en("Approve {amount}").format(amount="€500.00"))
    await staff.press(en("Yes, approve"))
    await to_the_receipts(person)
    await person.send_file("beleg.pdf", 120_000)
    await person.press(de("All receipts are sent"))
    await person.press(de("Submit the report"))
    await person.send("/apply")  # a third one, never sent
    await person.press(de("Start the application"))
    await person.send(APPLICANT)
    await person.send("/cancel")
    await plan(staff)
    invitation_of(person)
    await person.press(de("Yes"))
    await staff.send("/attendees")
    await staff.press(staff.labels[0])
    assert NAME in staff.text
    await ask_survey(staff, options=None, role="Volunteers")
    question_of(person)
    await person.press(de("Write my answer"))
    await person.send(f"Ein warmer Raum. Gruß, {NAME}")
    await staff.send("/results")
    await staff.press(staff.labels[0])
    await ask_the_office(person, staff)
    second = Chat(app, SIGNAL_UUID, language_code="de", display_name="Zofia")
    await second.send(f"/link {await code_of(person)}")
    async with app.database.transaction() as session:
        session.add(ProcessedUpdate(key=f"memory:{SIGNAL_UUID}:1700000000", processed_at=now()))
        session.add(
            ShownChoices(
                channel="memory", address=SIGNAL_UUID, choices=[], numbered=True, shown_at=now()
            )
        )
    return person, staff


QUESTION = f"Darf meine Frau zum Deutschkurs in Lübz mitkommen? Gruß, {NAME}"
ANSWER = "Ja, der Kurs ist offen für alle."


async def ask_the_office(person: Chat, staff: Chat) -> str:
    """A question with a photo, taken and answered by staff (who were shown the person's name)."""
    de = gettext(person.app, "de")
    staff.channel.take(staff.address)
    await person.send("/ask")
    await person.send(QUESTION)
    await person.send_file("brief.jpg", 3000, kind=InboundKind.PHOTO, mime_type="image/jpeg")
    await person.press(de("Send to the office"))
    async with person.app.database.transaction() as session:
        reference = await session.scalar(select(Question.reference))
    assert reference is not None
    staff.replies = [notice_of(staff.channel.take(staff.address), reference)]
    assert "Zofia" in staff.text
    await staff.press("Answer")
    await staff.send(ANSWER)
    person.channel.take(person.address)
    return reference


def now() -> datetime:
    return datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def test_my_data_comes_with_a_file_of_everything(app: App) -> None:
    person, _ = await someone_who_did_everything(app)
    de = gettext(app, "de")
    await person.send("/mydata")
    [reply] = person.replies
    assert reply.document is not None and reply.document.mime_type == "application/json"
    assert "MP-2026-0001" in reply.text and "MP-2026-0002" in reply.text
    data = json.loads(reply.document.content)
    assert data["locale"] == "de"
    assert data["labels"]["applications"] == de("Applications for funding")
    assert data["person"]["display_name"] == NAME
    assert data["person"]["addresses"] == [f"memory:{TELEGRAM_ID}", f"memory:{SIGNAL_UUID}"]
    assert data["person"]["first_contact_at"] == "2026-11-24T09:00:00+00:00"
    assert data["person"]["privacy_notice_version"] == PRIVACY_VERSION
    assert data["person"]["privacy_notice_accepted_at"] == "2026-11-24T09:00:00+00:00"
    applications = data["applications"]
    assert [a["reference"] for a in applications] == ["MP-2026-0001", "MP-2026-0002", None]
    first = applications[0]
    assert first["status"] == "approved" and first["contact"] == CONTACT
    assert first["approved_amount"] == {"cents": 50000, "currency": "EUR"}
    assert first["starts_on"] is not None and len(first["starts_on"]) == 10  # ISO date
    assert first["report"] == {
        "status": "submitted",
        "summary": "Acht Treffen im Gemeindesaal, im Schnitt 15 Gäste aus 6 Ländern.",
        "receipts": 1,
    }
    assert [a["kept_as_funding_record"] for a in applications] == [True, True, False]
    [meeting] = data["meeting_answers"]
    assert meeting["meeting"] == "Vernetzungstreffen Parchim" and meeting["answer"] == "yes"
    assert meeting["starts_at"] == "2026-12-10T17:00:00+00:00"
    [survey] = data["survey_answers"]
    assert survey["answer"] == f"Ein warmer Raum. Gruß, {NAME}"
    # The question to the office, its photo and the answer: in the message and in the file.
    assert de("<b>Your questions to the district office</b>") in reply.text
    assert "F-2026-0001" in reply.text and QUESTION in reply.text and ANSWER in reply.text
    [question] = data["questions"]
    assert question["reference"] == "F-2026-0001" and question["status"] == "answered"
    assert question["taken_by_staff"] is True and question["first_answer_at"] is not None
    messages = question["messages"]
    assert [(m["from"], m["text"]) for m in messages] == [
        ("you", QUESTION),
        ("you", None),  # the photo: its name and kind, the messenger keeps the file
        ("staff", ANSWER),
    ]
    assert messages[1]["file"]["name"] == "brief.jpg"


async def test_erasure_leaves_only_the_marked_funding_records(app: App) -> None:
    person, staff = await someone_who_did_everything(app)
    de = gettext(app, "de")
    async with app.database.transaction() as session:
        person_id = await session.scalar(
            select(ChannelIdentity.user_id).where(ChannelIdentity.external_id == TELEGRAM_ID)
        )
    assert person_id is not None
    await person.send("/deletemydata")
    assert "MP-2026-0001, MP-2026-0002" in person.text
    assert "“deleted”" in person.replies[0].text or de("Yes, delete my data") in person.labels
    await person.press(de("Yes, delete my data"))
    assert person.text.startswith(de("Your data has been deleted:"))
    assert f"memory:{TELEGRAM_ID}, memory:{SIGNAL_UUID}" in person.text
    assert (
        person.app.catalogs.translator("de")
        .ngettext(
            "• {count} question to the district office, with its answers;",
            "• {count} questions to the district office, with their answers;",
            1,
        )
        .format(count=1)
        in person.text
    )
    assert "MP-2026-0001, MP-2026-0002" in person.text

    needles = [NAME, "Zofia", "Wiśniewska", APPLICANT, CONTACT, TELEGRAM_ID, SIGNAL_UUID]
    needles.append(f"user:{person_id}")
    found = await rows_naming(app, needles, person_id)
    assert found == [], found
    async with app.database.transaction() as session:
        records = (await session.scalars(select(Application).order_by(Application.id))).all()
        assert [(a.reference, a.applicant_name, a.contact, a.user_id) for a in records] == [
            ("MP-2026-0001", ERASED, ERASED, None),
            ("MP-2026-0002", ERASED, ERASED, None),
        ]
        assert await session.get(User, person_id) is None
    # Staff see the record, with the marker in their words.
    await staff.send("/review")
    await staff.press(staff.labels[0])
    assert gettext(app, "en")("deleted at the applicant's request") in staff.text
    assert ERASED not in staff.text
    await staff.send("/export")
    export = staff.replies[-1].document
    assert export is not None
    sheet = export.content.decode("utf-8-sig")  # the CSV, after the workbook
    assert gettext(app, "en")("deleted at the applicant's request") in sheet
    assert not any(needle in sheet for needle in (NAME, APPLICANT, CONTACT, ERASED))


async def rows_naming(app: App, needles: list[str], person_id: int) -> list[tuple[str, str, Any]]:
    """Every (table, column, value) in the whole database that holds one of the needles in a
    text, or the person's id in a column that refers to people."""
    found = []
    async with app.database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column in table.columns:
                    value = row[column.name]
                    if value is None:
                        continue
                    if isinstance(column.type, JSON):
                        text = html.unescape(json.dumps(value, ensure_ascii=False))
                    elif isinstance(column.type, String):
                        text = html.unescape(str(value))
                    else:
                        refers_to_people = any(
                            key.column.table.name == "users" for key in column.foreign_keys
                        ) or (table.name == "users" and column.name == "id")
                        if refers_to_people and value == person_id:
                            found.append((table.name, column.name, value))
                        continue
                    if any(needle in text for needle in needles):
                        found.append((table.name, column.name, value))
    return found
