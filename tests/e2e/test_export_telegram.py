"""/export through the real Telegram channel: the workbook arrives as an .xlsx document in the
staff member's language, then the CSV; while a large one is being written, people chatting with
the bot are answered."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

import pytest
from openpyxl import load_workbook

from bench.export import seed
from bot.services.grants.export.files import Cells
from bot.services.grants.export.process import WriterProcesses
from conversations.spreadsheets import CSV, XLSX
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, say

STAFF = 9000  # named in BOT_ADMINS by the fixture
VOLUNTEER = 4711


async def test_the_export_arrives_as_a_workbook_and_a_csv(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    _ = bot.app.catalogs.translator("ar").gettext
    fake.add_user(STAFF, first_name="Amal", language_code="ar")
    await onboard(fake, STAFF, "العربية", _("I work for the district office"))
    await say(fake, STAFF, "/export")
    await fake.wait_until(lambda: sum(bool(m.document) for m in fake.messages(STAFF)) == 2)
    workbook, table = (m for m in fake.messages(STAFF) if m.document)
    assert workbook.document is not None and table.document is not None
    assert workbook.document["file_name"].endswith(".xlsx")
    assert workbook.document["mime_type"] == XLSX
    assert (table.document["file_name"].endswith(".csv"), table.document["mime_type"]) == (
        True,
        CSV,
    )
    book = load_workbook(io.BytesIO(workbook.document["bytes"]))
    sheet = book[_("Applications")]
    assert sheet.freeze_panes == "A2" and sheet.sheet_view.rightToLeft
    assert sheet["A1"].value == _("Reference") != "Reference"
    assert table.document["bytes"].decode("utf-8-sig").startswith(_("Reference"))
    assert fake.rejected == []


async def test_a_person_chatting_is_answered_while_a_large_export_is_written(
    bot: RunningBot, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(bot.settings.database_url, size=3000)
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    fake.add_user(VOLUNTEER, first_name="Jonas", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, VOLUNTEER, "English", "I volunteer")
    # The files' rows wait until the volunteer is answered. A bot that wrote them on its event
    # loop would answer no one while they wait: they go on after half a minute, stuck.
    answered = threading.Event()
    stuck: list[Sequence[Cells]] = []
    write = WriterProcesses.write

    def held(writer: WriterProcesses, applications: Sequence[Cells]) -> None:
        if not answered.wait(timeout=30):
            stuck.append(applications)
            answered.set()
        write(writer, applications)

    monkeypatch.setattr(WriterProcesses, "write", held)

    await say(fake, STAFF, "/export")  # the note that it is being prepared: the making begins
    await say(fake, VOLUNTEER, "/help")
    assert not any(m.document for m in fake.messages(STAFF))  # still being written
    answered.set()

    await fake.wait_until(
        lambda: sum(bool(m.document) for m in fake.messages(STAFF)) == 2, timeout=120
    )
    workbook = next(m.document for m in fake.messages(STAFF) if m.document)
    sheet = load_workbook(io.BytesIO(workbook["bytes"]), read_only=True)["Applications"]
    assert sheet.max_row == 3001
    assert stuck == [] and fake.rejected == []
