"""Spreadsheet files: German CSV that Excel and LibreOffice open as it is, where text from people
never runs as a formula and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import (
    Application,
    CostItem,
    FundingRound,
    Meeting,
    Rsvp,
    Survey,
    SurveyAnswer,
    User,
)
from bot.db.session import Database
from bot.services.grants.figures import applications_csv
from bot.services.meetings.planning import MeetingDesk
from bot.services.outreach.surveys import SurveyDesk
from bot.services.spreadsheet import Figure, csv_file
from tests.conftest import FakeClock

TZ = ZoneInfo("Europe/Berlin")
HYPERLINK = '=HYPERLINK("http://x","a")'
PHONE = "+49 170 1234567"


def parse(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_text_that_would_run_as_a_formula_is_quoted_and_numbers_are_not() -> None:
    texts = [HYPERLINK, PHONE, "-5", "@SUM(A1)", "\tx", "\rx", "Saal", "a=b", ""]
    content = csv_file(
        ["Text", "Zahl", "Betrag", "Leer"],
        [[text, -3, Figure("-12,50"), None] for text in texts],
    )
    assert b"\r\n" in content
    rows = parse(content)
    assert [row["Text"] for row in rows] == [
        "'" + HYPERLINK,
        "'" + PHONE,
        "'-5",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Saal",
        "a=b",
        "",
    ]
    assert {(row["Zahl"], row["Betrag"], row["Leer"]) for row in rows} == {("-3", "-12,50", "")}


async def test_the_grant_export_quotes_cost_items_and_contacts(
    database: Database, clock: FakeClock
) -> None:
    async with database.transaction() as session:
        round_id = await session.scalar(select(FundingRound.id))
        assert round_id is not None
        session.add(
            Application(
                round_id=round_id,
                reference="MP-2026-0001",
                status="submitted",
                applicant_name="-Vera",
                contact=PHONE,
                title="@Café",
                volunteers_expected=4,
                created_at=clock.now(),
                updated_at=clock.now(),
                items=[CostItem(category="room", description=HYPERLINK, amount_cents=45_050)],
            )
        )
        await session.flush()
        [row] = parse(await applications_csv(session, tz=TZ))
    assert row["Kostenposition"] == "'" + HYPERLINK
    assert row["Kontakt"] == "'" + PHONE
    assert (row["Antragsteller/in"], row["Titel"]) == ("'-Vera", "'@Café")
    assert row["Betrag (EUR)"] == row["Summe beantragt (EUR)"] == "450,50"
    assert row["Ehrenamtliche (geplant)"] == "4"
    assert row["Aktenzeichen"] == "MP-2026-0001"


async def test_the_attendee_list_quotes_names(database: Database, clock: FakeClock) -> None:
    async with database.transaction() as session:
        staff = User(locale="de", is_staff=True, created_at=clock.now())
        guest = User(locale="de", display_name="=1+1", created_at=clock.now())
        meeting = Meeting(
            title="+Treffen",
            starts_at=clock.now() + timedelta(days=3),
            duration_minutes=90,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add_all([staff, guest, meeting])
        await session.flush()
        session.add(
            Rsvp(
                meeting_id=meeting.id,
                user_id=guest.id,
                answer="yes",
                guests=2,
                updated_at=clock.now(),
            )
        )
        await session.flush()
        desk = MeetingDesk(
            session,
            actor_user_id=staff.id,
            actor_is_staff=True,
            actor_role=None,
            now=clock.now(),
            tz=TZ,
        )
        [row] = parse(await desk.attendance_csv(meeting.id))
    assert (row["Treffen"], row["Name"]) == ("'+Treffen", "'=1+1")
    assert (row["Antwort"], row["Gäste"]) == ("yes", "2")


async def test_the_survey_answers_quote_free_text(database: Database, clock: FakeClock) -> None:
    async with database.transaction() as session:
        staff = User(locale="de", is_staff=True, created_at=clock.now())
        session.add(staff)
        await session.flush()
        survey = Survey(
            created_by=staff.id,
            question="Was brauchen Sie?",
            options=[],
            audience={},
            closes_at=clock.now() + timedelta(days=7),
            total=1,
            created_at=clock.now(),
        )
        session.add(survey)
        await session.flush()
        session.add(
            SurveyAnswer(
                survey_id=survey.id, user_id=staff.id, text=HYPERLINK, answered_at=clock.now()
            )
        )
        await session.flush()
        desk = SurveyDesk(
            session, actor_user_id=staff.id, actor_is_staff=True, now=clock.now(), tz=TZ
        )
        [row] = parse(await desk.results_csv(survey.id))
    assert row["Antwort"] == "'" + HYPERLINK
    assert row["Frage"] == "Was brauchen Sie?"
