"""/mydata's file and /deletemydata through the real Telegram channel against the fake Bot API."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from bot.db.models import OutboxMessage, User
from tests.e2e.conftest import ALICE, RunningBot
from tests.e2e.telegram_fake import FakeBotApi


async def test_my_data_file_arrives_and_deletion_leaves_no_address(
    bot: RunningBot, fake: FakeBotApi
) -> None:
    assert bot.app is not None
    en = bot.app.catalogs.translator("en").gettext
    fake.send_text(ALICE, "/start")
    [greeting] = await fake.wait_for_messages(ALICE, 1)
    fake.press_button(ALICE, greeting.message_id, label="English")
    role = (await fake.wait_for_messages(ALICE, 2))[-1]
    fake.press_button(ALICE, role.message_id, label=en("I volunteer"))
    region = (await fake.wait_for_messages(ALICE, 3))[-1]
    fake.press_button(ALICE, region.message_id, label="Hagenow")
    privacy = (await fake.wait_for_messages(ALICE, 4))[-1]
    fake.press_button(ALICE, privacy.message_id, label=en("I agree"))
    await fake.wait_for_messages(ALICE, 6)

    fake.send_text(ALICE, "/mydata")
    summary, file = (await fake.wait_for_messages(ALICE, 8))[-2:]
    assert en("The attached file holds all of it, for other programs.") in summary.plain_text
    assert file.document is not None and file.document["file_name"].endswith(".json")
    data = json.loads(file.document["bytes"])
    assert data["locale"] == "en" and data["labels"]["region"] == "Region"
    assert data["person"]["addresses"] == [f"telegram:{ALICE}"]
    assert data["person"]["region"] == "Hagenow" and data["person"]["role"] == "volunteer"
    assert data["applications"] == [] and data["meeting_answers"] == []

    fake.send_text(ALICE, "/deletemydata")
    question = (await fake.wait_for_messages(ALICE, 9))[-1]
    fake.press_button(ALICE, question.message_id, label=en("Yes, delete my data"))
    farewell = (await fake.wait_for_messages(ALICE, 10))[-1]
    assert farewell.plain_text.startswith(en("Your data has been deleted:"))
    assert f"telegram:{ALICE}" in farewell.plain_text
    assert fake.rejected == []

    async def left() -> tuple[int, int]:
        assert bot.app is not None
        async with bot.app.database.transaction() as session:
            users = await session.scalar(select(func.count()).select_from(User))
            rows = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.address == str(ALICE))
            )
            return users or 0, rows or 0

    for _ in range(100):  # the farewell's row goes once it is recorded as sent
        if await left() == (0, 0):
            break
        await asyncio.sleep(0.05)
    assert await left() == (0, 0)
