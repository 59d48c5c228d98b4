"""/export through the real Telegram channel: the workbook arrives as an .xlsx document in the
staff member's language, then the CSV."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from conversations.spreadsheets import CSV, XLSX
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, say

STAFF = 9000  # named in BOT_ADMINS by the fixture


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
