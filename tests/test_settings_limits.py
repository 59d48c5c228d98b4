"""Telegram's limits and the share kept for replies: today's values by default, read from the
environment, and a bad value is one clear line."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.settings_values import ConfigError


def test_telegrams_limits_default_to_todays_values() -> None:
    settings = Settings.from_env({})
    assert (
        settings.telegram_per_second,
        settings.telegram_per_chat_per_second,
        settings.telegram_group_per_minute,
        settings.outbox_reply_share,
    ) == (30, 1, 20, 0.2)


def test_telegrams_limits_are_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_MESSAGES_PER_SECOND": "25",
            "TELEGRAM_PER_CHAT_PER_SECOND": "0.5",
            "TELEGRAM_GROUP_PER_MINUTE": "15",
            "OUTBOX_REPLY_SHARE": "30%",
        }
    )
    assert (
        settings.telegram_per_second,
        settings.telegram_per_chat_per_second,
        settings.telegram_group_per_minute,
        settings.outbox_reply_share,
    ) == (25, 0.5, 15, 0.3)
    assert Settings.from_env({"OUTBOX_REPLY_SHARE": "0.25"}).outbox_reply_share == 0.25


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TELEGRAM_MESSAGES_PER_SECOND", "0", "is not a number of messages above 0"),
        ("TELEGRAM_MESSAGES_PER_SECOND", "fast", "is not a number of messages above 0"),
        ("TELEGRAM_PER_CHAT_PER_SECOND", "-1", "is not a number of messages above 0"),
        ("TELEGRAM_GROUP_PER_MINUTE", "inf", "is not a number of messages above 0"),
        ("OUTBOX_REPLY_SHARE", "1", "is not a share of at least 0 and below 1"),
        ("OUTBOX_REPLY_SHARE", "120%", "is not a share of at least 0 and below 1"),
        ("OUTBOX_REPLY_SHARE", "half", "is not a share of at least 0 and below 1"),
    ],
)
def test_a_bad_limit_is_one_clear_line(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    assert str(raised.value).startswith(f"{variable}: {value!r} {message}")
    assert "\n" not in str(raised.value)
