"""Configuration from the environment: defaults, and one clear line for every bad value."""

from __future__ import annotations

import pytest

from bot.settings import DEFAULT_DATABASE_URL, Settings
from bot.settings_values import ConfigError
from conversations.people.ports import Contact, Retention


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.telegram_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.default_locale == "de"
    assert settings.timezone == "Europe/Berlin"
    assert settings.admins == frozenset()
    assert settings.webhook_url is None


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/gemeinsam",
            "BOT_ADMINS": "telegram:12345, console:anna",
            "DEFAULT_LOCALE": "uk",
            "TIMEZONE": "Europe/Kyiv",
            "WEBHOOK_URL": "https://bot.example.org/telegram",
            "WEBHOOK_LISTEN": "0.0.0.0",
            "WEBHOOK_PORT": "8080",
        }
    )
    assert settings.telegram_token == "123456:ABC-def_ghi"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1/gemeinsam"
    assert settings.admins == {"telegram:12345", "console:anna"}
    assert (settings.default_locale, settings.timezone) == ("uk", "Europe/Kyiv")
    assert (settings.webhook_url, settings.webhook_listen, settings.webhook_port) == (
        "https://bot.example.org/telegram",
        "0.0.0.0",
        8080,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOT_ADMINS", "12345", "BOT_ADMINS: '12345' is not of the form CHANNEL:ID"),
        ("BOT_ADMINS", "telegram:anna", "a Telegram ID is a number"),
        ("BOT_ADMINS", "fax:123", "is not of the form CHANNEL:ID"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL: unsupported database"),
        ("DATABASE_URL", "sqlite:///x.db", "DATABASE_URL: unsupported database 'sqlite'"),
        ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE: 'fr' is not one of de, en, ar, fa, uk, ru"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE: 'Mars/Olympus' is not a known time zone"),
        ("TELEGRAM_BOT_TOKEN", "secret", "TELEGRAM_BOT_TOKEN: not a bot token"),
        ("WEBHOOK_URL", "http://insecure", "WEBHOOK_URL: 'http://insecure' must be an https://"),
        ("WEBHOOK_PORT", "70000", "WEBHOOK_PORT: '70000' is not a port number"),
        ("METRICS_PORT", "metrics", "METRICS_PORT: 'metrics' is not a port number"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT: 'xml' is not text or json"),
        ("ALERT_REPLY_WAIT_SECONDS", "0", "ALERT_REPLY_WAIT_SECONDS: '0' is not a whole number"),
        ("ALERT_JOB_FAILURES", "often", "ALERT_JOB_FAILURES: 'often' is not a whole number"),
    ],
)
def test_a_bad_value_is_one_clear_line(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_cli_prints_the_error_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    monkeypatch.setenv("BOT_ADMINS", "telegram:x")
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err == (
        "error: BOT_ADMINS: 'telegram:x': a Telegram ID is a number\n"
    )


def test_privacy_contacts_and_retention_default_to_the_district_office() -> None:
    settings = Settings.from_env({})
    assert settings.privacy_controller == Contact(
        "Landkreis Ludwigslust-Parchim", "Putlitzer Straße 25, 19370 Parchim", "info@kreis-lup.de"
    )
    assert settings.privacy_dpo.email == "datenschutz@kreis-lup.de"
    assert settings.privacy_dpo.address == "Putlitzer Straße 25, 19370 Parchim"
    assert settings.retention == Retention(
        unfinished_signup_days=7, draft_days=90, unreachable_days=180, outbox_days=30
    )


def test_privacy_contacts_and_retention_are_read() -> None:
    settings = Settings.from_env(
        {
            "PRIVACY_CONTROLLER_NAME": "Landkreis Beispiel",
            "PRIVACY_CONTROLLER_ADDRESS": "Markt 1, 12345 Beispielstadt",
            "PRIVACY_CONTROLLER_EMAIL": "post@beispiel.de",
            "PRIVACY_DPO_NAME": "Dana Datenschutz",
            "PRIVACY_DPO_ADDRESS": "Postfach 2, 12345 Beispielstadt",
            "PRIVACY_DPO_EMAIL": "dsb@beispiel.de",
            "RETAIN_UNFINISHED_SIGNUP_DAYS": "3",
            "RETAIN_DRAFT_DAYS": "60",
            "RETAIN_UNREACHABLE_DAYS": "365",
            "RETAIN_OUTBOX_DAYS": "14",
        }
    )
    assert settings.privacy_controller == Contact(
        "Landkreis Beispiel", "Markt 1, 12345 Beispielstadt", "post@beispiel.de"
    )
    assert settings.privacy_dpo == Contact(
        "Dana Datenschutz", "Postfach 2, 12345 Beispielstadt", "dsb@beispiel.de"
    )
    assert settings.retention == Retention(3, 60, 365, 14)
    assert settings.privacy_terms.retention == settings.retention


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PRIVACY_CONTROLLER_EMAIL", "info(at)kreis-lup.de", "is not an e-mail address"),
        ("PRIVACY_DPO_EMAIL", "Dana <dsb@x.de>", "PRIVACY_DPO_EMAIL: 'Dana <dsb@x.de>' is not"),
        ("RETAIN_DRAFT_DAYS", "0", "RETAIN_DRAFT_DAYS: '0' is not a whole number of at least 1"),
        ("RETAIN_UNREACHABLE_DAYS", "half a year", "RETAIN_UNREACHABLE_DAYS: 'half a year'"),
        ("RETAIN_UNFINISHED_SIGNUP_DAYS", "-1", "at least 1"),
        ("RETAIN_OUTBOX_DAYS", "6", "RETAIN_OUTBOX_DAYS: '6' is not a whole number of at least 7"),
    ],
)
def test_a_bad_privacy_or_retention_value_is_one_clear_line(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_monitoring_is_off_by_default_and_read_when_set() -> None:
    settings = Settings.from_env({})
    assert (settings.metrics_port, settings.metrics_listen, settings.log_format) == (
        None,
        "127.0.0.1",
        "text",
    )
    assert (settings.alert_reply_wait_seconds, settings.alert_job_failures) == (120, 3)
    settings = Settings.from_env(
        {
            "METRICS_PORT": "9090",
            "METRICS_LISTEN": "0.0.0.0",
            "LOG_FORMAT": "JSON",
            "ALERT_REPLY_WAIT_SECONDS": "300",
            "ALERT_JOB_FAILURES": "5",
        }
    )
    assert (settings.metrics_port, settings.metrics_listen, settings.log_format) == (
        9090,
        "0.0.0.0",
        "json",
    )
    assert (settings.alert_reply_wait_seconds, settings.alert_job_failures) == (300, 5)
