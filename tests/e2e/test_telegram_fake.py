"""The fake Bot API refuses what Telegram refuses, so the e2e tests can trust a clean run."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.e2e.telegram_fake import FakeBotApi, parse_html


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.mark.parametrize(
    "text",
    [
        "<b>fett</b> &amp; <i>kursiv</i>",
        '<a href="https://x.de">x</a>',
        "&lt;tag&gt; &#8364;",
        '<pre><code class="language-python">x</code></pre>',
    ],
)
def test_valid_html_is_accepted(text: str) -> None:
    parse_html(text)


@pytest.mark.parametrize(
    "text",
    ["<script>x</script>", "<b>open", "fish & chips", "a < b", "<b><i>x</b></i>", "<a>no href</a>"],
)
async def test_invalid_html_is_refused_like_telegram(bot: Bot, fake: FakeBotApi, text: str) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(1001, text, parse_mode=ParseMode.HTML)
    assert len(fake.rejected) == 1


async def test_text_length_counts_utf16_like_telegram(bot: Bot, fake: FakeBotApi) -> None:
    await bot.send_message(1001, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1001, "x" * 4097)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1001, "x" * 4095 + "😀")


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ä" * 32)]])
    await bot.send_message(1001, "choose", reply_markup=fits)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="ä" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1001, "choose", reply_markup=too_long)


async def test_unknown_chats_and_unchanged_edits_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "hello")
    message = await bot.send_message(1001, "hello")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("hello", chat_id=1001, message_id=message.message_id)


async def test_injected_faults_reach_ptb_as_telegram_errors(bot: Bot, fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(1001, "x")
    retry_after = flood.value.retry_after
    assert (retry_after if isinstance(retry_after, int) else retry_after.total_seconds()) == 7
    fake.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "x")
    fake.block_bot(1001)
    with pytest.raises(Forbidden):
        await bot.send_message(1001, "x")
    assert fake.rejected == []


async def test_updates_are_long_polled_and_redelivered_when_asked(
    bot: Bot, fake: FakeBotApi
) -> None:
    first = fake.send_text(1001, "/start")
    [update] = await bot.get_updates(timeout=1)
    assert update.update_id == first and update.message.text == "/start"
    assert await bot.get_updates(offset=first + 1, timeout=0) == ()
    fake.enqueue_update(update.to_dict())  # the same update again
    [again] = await bot.get_updates(offset=first + 1, timeout=1)
    assert again.update_id == first


async def test_documents_round_trip(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_document(1001, document=b"a;b\r\n1;2", filename="x.csv")
    assert fake.messages(1001)[-1].document["file_name"] == "x.csv"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a;b\r\n1;2"


async def test_rate_limit_answers_429(bot: Bot, fake: FakeBotApi) -> None:
    fake.set_rate_limit(per_chat_per_second=2)
    await bot.send_message(1001, "1")
    await bot.send_message(1001, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "3")


async def test_overall_rate_limit_counts_every_chat(bot: Bot, fake: FakeBotApi) -> None:
    fake.add_user(1002)
    fake.set_rate_limit(global_per_second=2)
    await bot.send_message(1001, "1")
    await bot.send_message(1002, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(1002, "3")
    assert [m.plain_text for m in fake.messages(1002)] == ["2"]
