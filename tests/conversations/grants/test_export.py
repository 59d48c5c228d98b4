"""/export and /results as staff use them: a workbook in their language, typed and safe, and
the CSV beside it for other programs."""

from __future__ import annotations

import csv
import io
from codecs import BOM_UTF8
from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.models import OutboxMessage, Survey, SurveyAnswer, User
from bot.delivery.carrier import Maker
from conversations.ports import Translator
from conversations.spreadsheets import CSV, XLSX
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_application import (
    LANGUAGE,
    add_item,
    fill_until_costs,
    volunteer,
)
from tests.conversations.grants.test_review import submitted
from tests.conversations.people.test_onboarding import gettext, onboard


async def staff_in(app: App, locale: str) -> Chat:
    chat = Chat(app, "admin", language_code=locale, display_name="Petra")
    await onboard(chat, LANGUAGE[locale], locale, role="I work for the district office")
    return chat


@pytest.mark.parametrize("locale", ["de", "ar"])
async def test_the_export_is_a_workbook_in_the_staff_members_language(
    app: App, locale: str
) -> None:
    staff = await staff_in(app, locale)
    _ = gettext(app, locale)
    await submitted(app, "de", "v-de", amount="1.000")
    staff.channel.take("admin")  # the notice of the new application

    await staff.send("/export")
    preparing, *files = staff.replies
    assert preparing.document is None
    assert preparing.text == _(
        "The export of all submitted applications is being prepared; it comes in a moment."
    )
    workbook, table = (reply.document for reply in files)
    assert workbook is not None and table is not None
    assert workbook.name.endswith(".xlsx") and workbook.mime_type == XLSX
    assert table.name.endswith(".csv") and table.mime_type == CSV

    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == [
        _("Applications"),
        _("Cost items"),
        _("Decisions"),
        _("Reports"),
        _("Questions by region"),
        _("Questions by language"),
    ]
    sheet = book[_("Applications")]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == [_("Reference"), _("Funding round"), _("Status")]
    assert _("Reference") != "Reference"
    row = dict(zip(header, (c.value for c in sheet[2]), strict=True))
    status = _("submitted, waiting for a decision")
    assert row[_("Status")] == status != "submitted, waiting for a decision"
    assert row[_("Reference")] == "MP-2026-0001"
    assert row[_("Planned costs")] == 1000
    assert row[_("Topics")] == _("Language help")
    assert isinstance(row[_("Start")], datetime) and isinstance(row[_("Submitted")], datetime)
    items = book[_("Cost items")]
    assert [c.value for c in items[2]][2:] == [_("Room costs for joint events"), "Saal", 1000]
    assert "€" in items["E2"].number_format
    assert bool(sheet.sheet_view.rightToLeft) is (locale == "ar")

    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";"))
    flat = dict(zip(rows[0], rows[1], strict=True))
    assert flat[_("Status")] == status and flat[_("Planned costs")] == "1000,00"
    assert flat[_("Kind of cost")] == _("Room costs for joint events")
    assert flat[_("Topics")] == _("Language help")


async def test_the_export_waits_in_the_outbox_as_what_makes_it_not_as_its_bytes(
    app: App,
) -> None:
    staff = await staff_in(app, "de")
    await submitted(app, "de", "v-de", amount="1.000")
    staff.channel.take("admin")  # the notice of the new application
    await staff.send("/export")
    assert [reply.document is not None for reply in staff.replies] == [False, True, True]
    async with app.database.transaction() as session:
        payloads = (
            await session.scalars(
                select(OutboxMessage.payload)
                .where(OutboxMessage.address == "admin")
                .order_by(OutboxMessage.id.desc())
                .limit(2)
            )
        ).all()
    assert [payload["made"]["name"][-4:] for payload in reversed(payloads)] == ["xlsx", ".csv"]
    assert not any("document" in payload for payload in payloads)


async def test_the_workbook_and_the_csv_are_made_in_one_pass_over_the_rows(app: App) -> None:
    staff = await staff_in(app, "de")
    await submitted(app, "de", "v-de", amount="1.000")
    staff.channel.take("admin")
    makers = app.dispatcher.carrier.makers
    passes: list[str] = []

    def counted(maker: Maker) -> Maker:
        async def making(session: AsyncSession, t: Translator) -> Mapping[str, bytes]:
            passes.append(t.locale)
            return await maker(session, t)

        return making

    makers.update({key: counted(maker) for key, maker in makers.items()})
    await staff.send("/export")
    workbook, table = [reply.document for reply in staff.replies if reply.document]
    assert passes == ["de"]
    assert workbook.content.startswith(b"PK") and table.content.startswith(BOM_UTF8)


async def test_a_cost_item_typed_as_a_formula_stays_text_in_the_workbook(app: App) -> None:
    staff = await staff_in(app, "de")
    _ = gettext(app, "de")
    applicant = await volunteer(app, "de", "v-de")
    await fill_until_costs(applicant, "de")
    await add_item(applicant, "de", "Room costs for joint events", "=1+1", "500")
    await applicant.press(_("The cost plan is complete"))
    await applicant.press(_("Continue"))
    await applicant.press(_("I confirm all three and submit"))
    staff.channel.take("admin")  # the notice of the new application

    await staff.send("/export")
    workbook = staff.replies[1].document  # after the note that it is being prepared
    assert workbook is not None
    cell = load_workbook(io.BytesIO(workbook.content))[_("Cost items")]["D2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    table = staff.replies[2].document
    assert table is not None and "'=1+1" in table.content.decode("utf-8-sig")


async def test_survey_results_are_a_workbook_in_arabic_and_a_csv(
    app: App, clock: FakeClock
) -> None:
    staff = await staff_in(app, "ar")
    _ = gettext(app, "ar")
    async with app.database.transaction() as session:
        survey = Survey(
            created_by=None,
            question="Was brauchen Sie?",
            options=["Deutschkurse", "=1+1"],
            audience={},
            closes_at=clock.now() + timedelta(days=7),
            total=2,
            created_at=clock.now(),
        )
        session.add(survey)
        await session.flush()
        admin = await session.scalar(select(User.id))  # the only person so far
        session.add(
            SurveyAnswer(survey_id=survey.id, user_id=admin, option=1, answered_at=clock.now())
        )
    await staff.send("/results")
    await staff.press(staff.labels[0])
    await staff.press(_("As a spreadsheet file"))
    document = staff.replies[0].document
    assert document is not None and document.mime_type == XLSX
    book = load_workbook(io.BytesIO(document.content))
    assert book.sheetnames == [_("Answers"), _("Count per answer")]
    answers = book[_("Answers")]
    assert [c.value for c in answers[1]] == [_("Question"), _("Answer"), _("Region"), _("Answered")]
    assert _("Answer") != "Answer"
    assert answers["B2"].value == "=1+1" and answers["B2"].quotePrefix
    assert answers["D2"].is_date
    counts = book[_("Count per answer")]
    assert [[c.value for c in row] for row in counts.iter_rows(min_row=2)] == [
        ["Deutschkurse", 0, 0],
        ["=1+1", 1, 1],
    ]
    await staff.press(_("As CSV for other programs"))
    table = staff.replies[0].document
    assert table is not None and table.mime_type == CSV
    assert "'=1+1" in table.content.decode("utf-8-sig")
