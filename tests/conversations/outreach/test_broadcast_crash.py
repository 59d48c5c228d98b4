"""An announcement whose bot process dies in the middle of sending it: the rows it had claimed
are taken over once their lease runs out, and everyone gets it exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.db.models import OutboxMessage
from bot.delivery import SENDING
from conversations.messages import Reply
from tests.chat import Chat
from tests.conftest import FakeClock
from tests.conversations.grants.test_review import staff_member
from tests.conversations.meetings.test_invitations import person
from tests.conversations.people.test_onboarding import gettext

TEXT = "Sprachcafé am Freitag"


class StallingChannel(MemoryChannel):
    """Sends normally, but the announcement to one chat hangs: there the process will die."""

    def __init__(self) -> None:
        super().__init__()
        self.stall_at: str | None = None
        self.stalled = asyncio.Event()
        self.delivered: Counter[str] = Counter()

    async def send(self, address: str, reply: Reply, *, skip_parts: int = 0) -> str | None:
        if reply.text == TEXT:
            if address == self.stall_at:
                self.stalled.set()
                await asyncio.Event().wait()  # never returns: the process is killed here
            self.delivered[address] += 1
        return await super().send(address, reply, skip_parts=skip_parts)


async def test_a_crash_in_the_middle_of_a_broadcast_loses_no_one_and_doubles_no_one(
    app: App, clock: FakeClock, settings
) -> None:  # type: ignore[no-untyped-def]
    channel = StallingChannel()
    app.dispatcher.add_channel(channel)
    staff = await staff_member(app)
    people: list[Chat] = [
        await person(app, f"p{i}", "de", role="I am new in the district") for i in range(12)
    ]
    channel.stall_at = people[5].address
    en = gettext(app, "en")
    await staff.send("/broadcast")
    await staff.press(en("Everyone"))
    await staff.press(en("Done"))
    await staff.press(en("Done"))
    await staff.send(TEXT)
    await staff.press(en("Done"))
    await staff.press(en("Continue"))  # the summary
    await staff.press(en("Send"))
    sending = asyncio.create_task(staff.press(en("Yes, send")))
    await asyncio.wait_for(channel.stalled.wait(), timeout=10)
    # The process dies (kill -9) while one announcement is on its way: the others went out and
    # were recorded, the stalled row stays claimed with its lease running. (A message that had
    # reached Telegram but was not yet recorded when the process died is sent again: delivery
    # is at least once for what is in flight at the moment of a crash.)
    for _ in range(200):
        async with app.database.transaction() as session:
            in_flight = (
                await session.scalars(
                    select(OutboxMessage.address).where(OutboxMessage.status == SENDING)
                )
            ).all()
        if in_flight == [people[5].address]:
            break
        await asyncio.sleep(0.05)
    assert in_flight == [people[5].address]
    sending.cancel()
    await asyncio.gather(sending, return_exceptions=True)
    await app.close()

    channel.stall_at = None
    restarted = App(settings, clock=clock)
    restarted.dispatcher.add_channel(channel)
    try:
        await restarted.dispatcher.dispatch_due()
        assert channel.delivered[people[5].address] == 0  # its lease still holds
        clock.advance(seconds=31)
        await restarted.dispatcher.dispatch_due()
    finally:
        await restarted.close()
    assert {chat.address: channel.delivered[chat.address] for chat in people} == {
        chat.address: 1 for chat in people
    }
