"""The bot on Signal: the real channel against the fake signal-cli daemon over HTTP, in the same
conversations as on Telegram, with numbered lines instead of buttons."""

from __future__ import annotations

import base64

from sqlalchemy import select

from bot.db.models import Application, ChannelIdentity, User
from tests.e2e.conftest import SAMIRA, RunningBot
from tests.e2e.signal_chat import SignalChat
from tests.e2e.signal_fake import FakeSignalDaemon


async def onboard(chat: SignalChat, *, language: str = "English") -> None:
    await chat.send("Hallo")
    await chat.choose(language)
    await chat.choose("I volunteer")
    await chat.choose("Parchim")
    await chat.choose("I agree")


async def test_onboarding_by_typing_numbers(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    chat = SignalChat(daemon, SAMIRA)
    await chat.send("Hallo")
    assert list(chat.choices)[:2] == ["Deutsch", "English"]
    await chat.choose("English")
    assert "volunteer" in chat.text
    await chat.send("I volunteer")  # the label works as well as the number
    await chat.choose("Parchim")
    assert "<b>" not in chat.text
    privacy = chat.replies[-1]
    assert privacy.styled("BOLD") == ["Privacy"]
    await chat.choose("I agree")
    assert "Apply for funding" in chat.choices
    assert signal_bot.app is not None
    async with signal_bot.app.database.transaction() as session:
        user = await session.scalar(
            select(User).join(ChannelIdentity).where(ChannelIdentity.external_id == SAMIRA)
        )
        assert user is not None and user.role == "volunteer" and user.locale == "en"
        assert user.display_name == "Samira"


async def test_the_whole_grant_wizard_by_typing(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    chat = SignalChat(daemon, SAMIRA)
    await onboard(chat)
    await chat.send("/apply")
    await chat.choose("Start the application")
    await chat.send("Samira Haddad")
    await chat.choose("No, as a private person")
    await chat.send("samira@example.org")
    await chat.choose("Parchim")
    await chat.send("Sprachcafé")
    await chat.send("Wöchentliches Treffen zum Deutschüben mit neuen Nachbarn in Parchim.")
    await chat.choose("Language help")
    await chat.choose("Done")
    assert "How many volunteers" in chat.text
    assert not chat.choices  # a number is asked for: no numbered lines to mistake it for
    await chat.send("2")  # typed right after a numbered list: the answer, not its line 2
    assert "How many newcomers" in chat.text
    await chat.send("20")
    # The day: a calendar to type from, its days without numbers in front.
    assert "Type it" in chat.text and not chat.choices
    await chat.send("2026-12-05")
    await chat.send("2026-12-19")
    await chat.choose("Room costs for joint events")
    await chat.send("Raummiete")
    await chat.send("1,200")
    assert "more than" in chat.text
    await chat.send("800")
    await chat.choose("The cost plan is complete")
    summary = chat.replies[-1]
    assert summary.styled("BOLD")  # the summary's headings are bold, not <b>
    await chat.choose("Continue")
    await chat.choose("I confirm all three and submit")
    assert "MP-2026-0001" in chat.text
    assert signal_bot.app is not None
    async with signal_bot.app.database.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        assert (application.status, application.volunteers_expected) == ("submitted", 2)
        assert application.newcomers_expected == 20


async def test_receipts_typing_and_sync_messages_are_not_answered(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    chat = SignalChat(daemon, SAMIRA)
    await onboard(chat)
    daemon.send_receipt(SAMIRA)
    daemon.send_typing(SAMIRA)
    daemon.send_sync(SAMIRA)
    await chat.send("/help")
    assert len([m for m in chat.replies if "What I can do" in m.text or "/apply" in m.text]) >= 1
    assert not any("did not understand" in m.text for m in chat.replies)


GROUP_ID = base64.b64encode(bytes(range(32))).decode()


async def test_a_group_message_gets_one_note_to_write_privately(
    daemon: FakeSignalDaemon, signal_bot: RunningBot
) -> None:
    daemon.add_group(GROUP_ID, name="Aktivgruppe Parchim", members=[SAMIRA])
    daemon.send_group_text(SAMIRA, GROUP_ID, "Hallo Bot")
    daemon.send_group_text(SAMIRA, GROUP_ID, "Hallo nochmal")
    chat = SignalChat(daemon, SAMIRA)
    await chat.send("/help")  # answered after both group messages were handled
    notes = [m for m in daemon.sent if m.group_id == GROUP_ID]
    assert len(notes) == 1
    assert f"https://signal.me/#p/{daemon.account}" in notes[0].text
