"""A micro-grant through the real Telegram channel: from /apply to the approval message."""

from __future__ import annotations

from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi

STAFF = 9000  # named in BOT_ADMINS by the fixture


async def press(fake: FakeBotApi, chat: int, label: str) -> None:
    """Press `label` on the newest message that has it, and wait for the answer."""
    message = next(m for m in reversed(fake.messages(chat)) if label in m.button_labels())
    count = len(fake.messages(chat))
    fake.press_button(chat, message.message_id, label=label)
    await fake.wait_for_answer(chat, count)


async def say(fake: FakeBotApi, chat: int, text: str) -> None:
    count = len(fake.messages(chat))
    fake.send_text(chat, text)
    await fake.wait_for_answer(chat, count)


async def onboard(fake: FakeBotApi, chat: int, language: str, role: str) -> None:
    await say(fake, chat, "/start")
    await press(fake, chat, language)
    await press(fake, chat, role)
    await press(fake, chat, "Parchim")
    agree = fake.messages(chat)[-1].button_labels()[0]
    await press(fake, chat, agree)


async def test_from_apply_to_the_approval_message(bot: RunningBot, fake: FakeBotApi) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar")
    _ = ar.gettext
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    await onboard(fake, STAFF, "English", "I work for the district office")
    await onboard(fake, ALICE, "العربية", _("I volunteer"))

    await say(fake, ALICE, "/apply")
    await press(fake, ALICE, _("Start the application"))
    for answer in ("عليا حداد",):
        await say(fake, ALICE, answer)
    await press(fake, ALICE, _("No, as a private person"))
    await say(fake, ALICE, "alia@example.org")
    await press(fake, ALICE, "Parchim")
    await say(fake, ALICE, "مقهى اللغة")
    await say(fake, ALICE, "لقاء أسبوعي لممارسة اللغة الألمانية مع الجيران الجدد في بارخيم.")
    await press(fake, ALICE, _("Language help"))
    await press(fake, ALICE, _("Done"))
    await say(fake, ALICE, "٤")
    await say(fake, ALICE, "٢٠")
    await say(fake, ALICE, "2026-12-05")
    await say(fake, ALICE, "2026-12-19")
    await press(fake, ALICE, _("Room costs for joint events"))
    await say(fake, ALICE, "قاعة")
    await say(fake, ALICE, "١٬٢٠٠")  # 1,200 EUR: over the cap
    assert fake.messages(ALICE)[-2].plain_text == _(
        "That is {over_by} more than the {cap} an application may ask for."
    ).format(over_by=ar.format_money(20_000), cap=ar.format_money(100_000))
    await say(fake, ALICE, "٨٠٠")
    await press(fake, ALICE, _("The cost plan is complete"))
    await press(fake, ALICE, _("Continue"))
    await press(fake, ALICE, _("I confirm all three and submit"))
    assert "MP-2026-0001" in fake.messages(ALICE)[-2].plain_text

    await fake.wait_until(lambda: any("MP-2026-0001" in m.plain_text for m in fake.messages(STAFF)))
    await press(fake, STAFF, "Review applications")
    await press(fake, STAFF, fake.messages(STAFF)[-1].button_labels()[0])
    await press(fake, STAFF, "Approve €800.00")
    await press(fake, STAFF, "Yes, approve")
    await fake.wait_until(lambda: ar.format_money(80_000) in fake.messages(ALICE)[-1].plain_text)
    approval = fake.messages(ALICE)[-1]
    assert approval.plain_text.startswith(
        _(
            "Good news: your application {reference} “{title}” has been approved with {amount}. "
            "After the project, please report what it reached with /report."
        )[:10]
    )

    fake.send_text(STAFF, "/stats")
    await fake.wait_until(
        lambda: any(
            "€800.00 approved, €9,200.00 left" in m.plain_text for m in fake.messages(STAFF)
        )
    )
    fake.send_text(STAFF, "/export")
    await fake.wait_until(lambda: sum(bool(m.document) for m in fake.messages(STAFF)) == 2)
    export = [m for m in fake.messages(STAFF) if m.document][-1]  # the CSV, after the workbook
    assert export.document is not None and export.document["file_name"].endswith(".csv")
    assert "MP-2026-0001" in export.document["bytes"].decode("utf-8-sig")
    assert fake.rejected == []
