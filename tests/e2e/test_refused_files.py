"""A file Telegram refuses for good does not hold the person's later replies: the row fails at
once, the person is told in their language, and the next answer comes straight away."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import OutboxMessage
from bot.delivery import FAILED
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_fake import FakeBotApi
from tests.e2e.test_grants_telegram import onboard, say

STAFF = 9000  # named in BOT_ADMINS by the fixture


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (413, "Request Entity Too Large"),
        (400, "Bad Request: file must be non-empty"),
    ],
)
async def test_a_refused_export_is_told_and_the_next_reply_is_not_held(
    bot: RunningBot, fake: FakeBotApi, status: int, description: str
) -> None:
    assert bot.app is not None
    fake.add_user(STAFF, first_name="Petra", language_code="de")
    await onboard(fake, STAFF, "Deutsch", "Ich arbeite für den Landkreis")
    fake.fail_next("sendDocument", status=status, description=description, times=50)
    await say(fake, STAFF, "/export")
    de = bot.app.catalogs.translator("de").gettext
    before, after = de("Sorry, I could not send you the file {name}.").split("{name}")
    await fake.wait_until(
        lambda: any(
            m.plain_text.startswith(before) and m.plain_text.endswith(after) and ".csv" in m.text
            for m in fake.messages(STAFF)
        )
    )
    # The workbook and the CSV, each tried once, not again.
    assert [r.method for r in fake.requests].count("sendDocument") == 2
    count = len(fake.messages(STAFF))
    fake.send_text(STAFF, "/help")
    # Within the fake's usual answer time, not after a retry window of minutes.
    await fake.wait_for_answer(STAFF, count, timeout=5)
    assert not any(m.document for m in fake.messages(STAFF))
    async with bot.app.database.transaction() as session:
        refused = await session.scalar(select(OutboxMessage).where(OutboxMessage.status == FAILED))
    assert refused is not None and refused.attempts == 1
    reason = description.removeprefix("Bad Request: ").lower()
    assert refused.last_error is not None and reason in refused.last_error.lower()
