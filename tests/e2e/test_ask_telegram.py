"""Ask the office through the real Telegram channel: an Arabic newcomer whose sentence found no
topic asks by voice note and text, a member of staff takes and answers in German, the newcomer
gets the answer under an Arabic heading and replies, and the reply reaches that staff member."""

from __future__ import annotations

from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_meetings_telegram import onboard, press, say

STAFF, NEWCOMER = 9000, 3100


async def test_an_arabic_newcomer_asks_and_gets_the_answer(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    ar = bot.app.catalogs.translator("ar").gettext
    en = bot.app.catalogs.translator("en").gettext
    fake.add_user(STAFF, first_name="Petra", language_code="en")
    fake.add_user(NEWCOMER, first_name="Amal", language_code="ar")
    await onboard(fake, STAFF, "English", en("I work for the district office"), en("I agree"))
    await onboard(fake, NEWCOMER, "العربية", ar("I am new in the district"), ar("I agree"))

    # A sentence no topic answers; the menu offers to ask the office.
    await say(fake, NEWCOMER, "هل يمكن لزوجتي حضور دورة اللغة في لوبز؟")
    await press(fake, NEWCOMER, ar("Ask the office"))
    count = len(fake.messages(NEWCOMER))
    fake.send_voice(NEWCOMER)
    await fake.wait_for_answer(NEWCOMER, count)
    await say(fake, NEWCOMER, "هل يمكن لزوجتي حضور دورة اللغة الألمانية في لوبز؟")
    staff_before = len(fake.messages(STAFF))
    await press(fake, NEWCOMER, ar("Send to the office"))
    confirmation = fake.messages(NEWCOMER)[-1].plain_text
    assert "F-2026-0001" in confirmation

    # Staff get the notice with its buttons, and the voice note as a voice note.
    await fake.wait_until(lambda: len(fake.messages(STAFF)) >= staff_before + 2)
    notice = fake.messages(STAFF)[staff_before]
    assert "لوبز" in notice.plain_text and "Amal" in notice.plain_text
    assert notice.button_labels() == ["Take it", "Answer", "Close"]
    voice_message = next(m for m in fake.messages(STAFF)[staff_before:] if m.document)
    assert voice_message.document is not None
    assert any(r.method == "sendVoice" for r in fake.requests)

    await press(fake, STAFF, "Take it")
    await fake.wait_until(lambda: "Petra" in fake.messages(STAFF)[staff_before].plain_text)
    assert "Take it" not in fake.messages(STAFF)[staff_before].button_labels()
    await press(fake, STAFF, "Answer")
    count = len(fake.messages(NEWCOMER))
    await say(fake, STAFF, "Ja, der Kurs in Lübz ist für alle offen. Anmeldung bei der VHS.")
    await fake.wait_until(lambda: len(fake.messages(NEWCOMER)) > count)
    answer = fake.messages(NEWCOMER)[-1]
    heading = ar("Answer from the district office to your question {reference}").format(
        reference="F-2026-0001"
    )
    assert answer.plain_text.startswith(heading)
    assert "Anmeldung bei der VHS" in answer.plain_text

    await press(fake, NEWCOMER, ar("Reply"))
    staff_count = len(fake.messages(STAFF))
    await say(fake, NEWCOMER, "شكرا، متى يبدأ الدورة؟")
    await fake.wait_until(lambda: len(fake.messages(STAFF)) > staff_count)
    assert any(
        "replied to question F-2026-0001" in m.plain_text
        for m in fake.messages(STAFF)[staff_count:]
    )
    assert fake.rejected == []
