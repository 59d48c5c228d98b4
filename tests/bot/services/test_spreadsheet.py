"""Spreadsheet files: a workbook with typed cells in the reader's language, and the German-Excel
CSV for other programs, where text from people never runs as a formula and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
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
from bot.i18n import Catalogs
from bot.services.grants.export.making import applications_files
from bot.services.meetings.planning import MeetingDesk
from bot.services.outreach.surveys import SurveyDesk
from bot.services.spreadsheet import Cell, CsvTable, Money, Table, csv_file
from bot.services.xlsx import workbook
from conversations.people.ports import ERASED
from conversations.ports import Translator
from conversations.spreadsheets import APPLICATIONS_CSV, APPLICATIONS_WORKBOOK, Spreadsheet
from tests.conftest import FakeClock

TZ = ZoneInfo("Europe/Berlin")
HYPERLINK = '=HYPERLINK("http://x","a")'
PHONE = "+49 170 1234567"
CATALOGS = Catalogs()


def parse(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_text_that_would_run_as_a_formula_is_quoted_and_numbers_are_not() -> None:
    texts = [HYPERLINK, PHONE, "-5", "@SUM(A1)", "\tx", "\rx", "Saal", "a=b", ""]
    content = csv_file(
        ["Text", "Zahl", "Betrag", "Leer", "Tag"],
        [[text, -3, Money(-1250), None, date(2026, 12, 9)] for text in texts],
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
    assert {(row["Zahl"], row["Betrag"], row["Leer"], row["Tag"]) for row in rows} == {
        ("-3", "-12,50", "", "09.12.2026")
    }


CELLS = st.one_of(
    st.text(alphabet=st.sampled_from(list('ab ;"\r\n\t\x00=+-@_ä'))),
    st.none(),
    st.booleans(),  # a kind the writer spells itself: such a part goes through it
    st.integers(),
    st.floats(allow_nan=False),
    st.builds(Money, st.integers(-(10**9), 10**9)),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=2, max_size=6), min_size=1, max_size=4))
def test_rows_made_of_parts_are_written_as_the_csv_writer_writes_them(
    parts: list[list[Cell]],
) -> None:
    """Parts without anything to quote are joined without the writer: the same text. (A part of
    one empty cell is written as the writer writes a row of it, `""`: the export has none.)"""
    whole = CsvTable(["h"])
    whole.append([value for part in parts for value in part])
    joined = CsvTable(["h"])
    joined.append_parts(*(joined.part(part) for part in parts))
    assert joined.close() == whole.close()


PARTS = st.lists(CELLS, min_size=2, max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PARTS, PARTS), min_size=1, max_size=6))
def test_parts_looked_at_in_a_batch_are_written_as_the_csv_writer_writes_them(
    rows: list[tuple[list[Cell], list[Cell]]],
) -> None:
    """The export makes its parts a batch at a time, their text looked at once: a part in a
    batch that must be quoted or may start a formula is still written as the writer would."""
    whole = CsvTable(["h"])
    for first, second in rows:
        whole.append([*first, *second])
    batched = CsvTable(["h"])
    firsts = batched.parts([first for first, _ in rows])
    seconds = batched.parts([second for _, second in rows])
    batched.extend_parts(zip(firsts, seconds, strict=True))
    assert batched.close() == whole.close()


def test_the_workbook_has_typed_cells_a_frozen_header_and_formulas_as_text() -> None:
    long_text = "x" * 500
    content = workbook(
        [
            Table(
                "Anträge: 2026/27",
                ["Titel", "Betrag", "Beginn", "Eingereicht", "Anzahl"],
                [
                    ["=1+1", Money(45_050), date(2026, 12, 9), datetime(2026, 11, 24, 18, 30), 4],
                    [long_text, None, None, None, None],
                ],
            ),
            Table("Kosten", ["Art"], [["@SUM(A1)"]]),
        ]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Anträge  2026 27", "Kosten"]  # Excel forbids : and /
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Titel", "Betrag", "Beginn", "Eingereicht", "Anzahl"]
    formula = sheet["A2"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+1", "s", True)
    assert book.worksheets[1]["A2"].quotePrefix and book.worksheets[1]["A2"].data_type == "s"
    amount = sheet["B2"]
    assert amount.value == 450.5 and "€" in amount.number_format
    assert sheet["C2"].is_date and sheet["C2"].value == datetime(2026, 12, 9)
    assert sheet["D2"].value == datetime(2026, 11, 24, 18, 30)
    assert sheet["E2"].value == 4 and sheet["E2"].data_type == "n"
    assert sheet["A3"].value == long_text and not sheet["A3"].quotePrefix
    widths = {column: sheet.column_dimensions[column].width for column in "ABE"}
    assert 60 < widths["A"] < 65  # from the content, but capped
    assert widths["E"] < widths["B"] < 20
    assert not sheet.sheet_view.rightToLeft
    arabic = load_workbook(io.BytesIO(workbook([Table("طلبات", ["a"], [])], right_to_left=True)))
    assert arabic.worksheets[0].sheet_view.rightToLeft


async def export(database: Database, t: Translator) -> Spreadsheet:
    """The export's two files, as the dispatcher makes them: in a transaction that only reads."""
    async with database.reading() as session:
        files = await applications_files(session, t, tz=TZ)
    return Spreadsheet(workbook=files[APPLICATIONS_WORKBOOK], csv=files[APPLICATIONS_CSV])


async def application(database: Database, clock: FakeClock, **fields: object) -> None:
    async with database.transaction() as session:
        round_id = await session.scalar(select(FundingRound.id))
        assert round_id is not None
        session.add(
            Application(
                round_id=round_id,
                reference="MP-2026-0001",
                volunteers_expected=4,
                starts_on=date(2026, 12, 10),
                submitted_at=clock.now(),
                created_at=clock.now(),
                updated_at=clock.now(),
                **fields,
            )
        )


@pytest.mark.parametrize("locale", ["de", "ar"])
async def test_the_grant_export_speaks_the_readers_language(
    database: Database, clock: FakeClock, locale: str
) -> None:
    t = CATALOGS.translator(locale)
    _ = t.gettext
    await application(
        database,
        clock,
        status="approved",
        approved_cents=40_000,
        applicant_name="-Vera",
        contact=PHONE,
        title="@Café",
        items=[CostItem(category="rooms", description=HYPERLINK, amount_cents=45_050)],
    )
    spreadsheet = await export(database, t)
    book = load_workbook(io.BytesIO(spreadsheet.workbook))
    assert book.sheetnames == [
        _("Applications"),
        _("Cost items"),
        _("Decisions"),
        _("Reports"),
        _("Questions by region"),
        _("Questions by language"),
    ]
    applications, items = book.worksheets[0], book.worksheets[1]
    header = [c.value for c in applications[1]]
    assert header[0] == _("Reference") != "Reference"  # translated already in de and ar
    row = dict(zip(header, [c.value for c in applications[2]], strict=True))
    assert row[_("Status")] == _("approved") != "approved"
    assert row[_("Applicant")] == "-Vera" and applications["D2"].quotePrefix
    assert row[_("Planned costs")] == 450.5 and row[_("Approved amount")] == 400
    assert "€" in applications.cell(2, header.index(_("Planned costs")) + 1).number_format
    assert row[_("Start")] == datetime(2026, 12, 10)
    assert row[_("Submitted")] == clock.now().astimezone(TZ).replace(tzinfo=None)
    assert bool(applications.sheet_view.rightToLeft) is (locale == "ar")
    kinds = [c.value for c in items["C"]]
    assert kinds == [_("Kind of cost"), _("Room costs for joint events")]
    assert items["D2"].value == HYPERLINK and items["D2"].quotePrefix

    [flat] = parse(spreadsheet.csv)
    assert flat[_("Cost item")] == "'" + HYPERLINK
    assert flat[_("Contact")] == "'" + PHONE
    assert (flat[_("Applicant")], flat[_("Title")]) == ("'-Vera", "'@Café")
    assert flat[_("Amount")] == flat[_("Planned costs")] == "450,50"
    assert flat[_("Status")] == _("approved")
    assert flat[_("Volunteers planned")] == "4"
    assert flat[_("Reference")] == "MP-2026-0001"


async def test_an_erased_applicant_is_said_in_the_readers_words(
    database: Database, clock: FakeClock
) -> None:
    await application(
        database, clock, status="approved", applicant_name=ERASED, contact=ERASED, title="Café"
    )
    t = CATALOGS.translator("ar")
    spreadsheet = await export(database, t)
    sheet = load_workbook(io.BytesIO(spreadsheet.workbook)).worksheets[0]
    erased = t.gettext("deleted at the applicant's request")
    assert erased != "deleted at the applicant's request"
    assert sheet["D2"].value == sheet["F2"].value == erased
    [flat] = parse(spreadsheet.csv)
    assert flat[t.gettext("Applicant")] == erased and ERASED not in spreadsheet.csv.decode()


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


async def test_the_survey_answers_are_typed_and_free_text_stays_text(
    database: Database, clock: FakeClock
) -> None:
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
        t = CATALOGS.translator("de")
        spreadsheet = await desk.results_spreadsheet(survey.id, t)
    [row] = parse(spreadsheet.csv)
    assert row[t.gettext("Answer")] == "'" + HYPERLINK
    assert row[t.gettext("Question")] == "Was brauchen Sie?"
    assert row[t.gettext("Region")] == t.gettext("no region") != "no region"
    sheet = load_workbook(io.BytesIO(spreadsheet.workbook)).worksheets[0]
    assert sheet["B2"].value == HYPERLINK and sheet["B2"].quotePrefix
    assert sheet["D2"].is_date and sheet.freeze_panes == "A2"


def test_control_characters_are_stored_as_excel_escapes_the_file_still_opens() -> None:
    content = workbook([Table("Text", ["Text"], [["Alarm\x07 \x1b[0m"], ["_x0041_ wie gesagt"]])])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    # Excel reads _xHHHH_ as the character; a literal "_x0041_" keeps its underscore escaped.
    assert sheet["A2"].value == "Alarm_x0007_ _x001B_[0m"
    assert sheet["A3"].value == "_x005F_x0041_ wie gesagt"
