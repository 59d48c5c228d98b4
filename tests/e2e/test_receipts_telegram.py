"""Receipts through the real Telegram channel: the bot downloads each file from the Bot API and
looks at its content, so a program is refused whatever it is called, and staff get only the PDF."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import ReportFile
from tests import files
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi, SentMessage
from tests.e2e.test_grants_telegram import onboard, press, say

STAFF = 9000  # named in BOT_ADMINS by the fixture
# A real-looking scanned receipt: a PDF with more than its first bytes.
PDF = files.PDF + b"%" + bytes(range(256)) * 40 + b"\n%%EOF\n"


async def send_document(fake: FakeBotApi, chat: int, **document: object) -> list[SentMessage]:
    """Send a file and return the bot's answer to it."""
    count = len(fake.messages(chat))
    fake.send_document(chat, **document)  # type: ignore[arg-type]
    return (await fake.wait_for_answer(chat, count))[count:]


async def approved_project(bot: RunningBot, fake: FakeBotApi) -> None:
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, ALICE, "English", "I volunteer")
    await say(fake, ALICE, "/apply")
    await press(fake, ALICE, "Start the application")
    await say(fake, ALICE, "Alia Haddad")
    await press(fake, ALICE, "No, as a private person")
    await say(fake, ALICE, "alia@example.org")
    await press(fake, ALICE, "Parchim")
    await say(fake, ALICE, "Language café")
    await say(fake, ALICE, "A weekly meeting to practise German with new neighbours in Parchim.")
    await press(fake, ALICE, "Language help")
    await press(fake, ALICE, "Done")
    await say(fake, ALICE, "4")
    await say(fake, ALICE, "20")
    await say(fake, ALICE, "2026-12-05")
    await say(fake, ALICE, "2026-12-19")
    await press(fake, ALICE, "Room costs for joint events")
    await say(fake, ALICE, "Hall")
    await say(fake, ALICE, "800")
    await press(fake, ALICE, "The cost plan is complete")
    await press(fake, ALICE, "Continue")
    await press(fake, ALICE, "I confirm all three and submit")
    await fake.wait_until(lambda: any("MP-2026-0001" in m.plain_text for m in fake.messages(STAFF)))
    await press(fake, STAFF, "Review applications")
    await press(fake, STAFF, fake.messages(STAFF)[-1].button_labels()[0])
    await press(fake, STAFF, "Approve €800.00")
    await press(fake, STAFF, "Yes, approve")
    await fake.wait_until(lambda: "/report" in fake.messages(ALICE)[-1].plain_text)


async def test_staff_get_the_pdf_and_never_the_programs(bot: RunningBot, fake: FakeBotApi) -> None:
    assert bot.app is not None
    await approved_project(bot, fake)
    await say(fake, ALICE, "/report")
    await say(fake, ALICE, "5")
    await say(fake, ALICE, "42")
    await say(fake, ALICE, "Eight evenings in the parish hall, 15 guests from 6 countries.")
    await say(fake, ALICE, "780")
    assert "images (JPEG, PNG, HEIC or WebP) or PDF files" in fake.messages(ALICE)[-1].plain_text

    accepted = "Receipts may be images (JPEG, PNG, HEIC or WebP) or PDF files."
    program = await send_document(
        fake, ALICE, file_name="setup.exe", mime_type="application/x-msdownload", data=files.EXE
    )
    assert program[0].plain_text == "Sorry, I cannot take this kind of file. " + accepted
    renamed = await send_document(
        fake, ALICE, file_name="Rechnung.pdf", mime_type="application/pdf", data=files.EXE
    )
    assert renamed[0].plain_text == (
        "Sorry, this file is not what its name says, so I cannot take it. " + accepted
    )
    receipt = await send_document(
        fake, ALICE, file_name="Rechnung Saalmiete.pdf", mime_type="application/pdf", data=PDF
    )
    assert receipt[0].plain_text == "1 receipt received."
    await press(fake, ALICE, "All receipts are sent")
    assert "1 receipt" in fake.messages(ALICE)[-1].plain_text
    await press(fake, ALICE, "Submit the report")

    await fake.wait_until(lambda: "New report on" in fake.messages(STAFF)[-1].plain_text)
    await press(fake, STAFF, "Review applications")
    await press(fake, STAFF, "Report MP-2026-0001")
    await press(fake, STAFF, "Show the receipts")
    await fake.wait_until(lambda: any(m.document for m in fake.messages(STAFF)))
    documents = [m.document for m in fake.messages(STAFF) if m.document]
    assert [(d["file_name"], d["bytes"]) for d in documents] == [("Rechnung Saalmiete.pdf", PDF)]
    assert any(m.plain_text == "Receipt 1: Rechnung Saalmiete.pdf" for m in fake.messages(STAFF))
    assert fake.rejected == []
    async with bot.app.database.transaction() as session:
        kept = (await session.execute(select(ReportFile.name, ReportFile.mime_type))).all()
    assert [tuple(row) for row in kept] == [("Rechnung Saalmiete.pdf", "application/pdf")]
