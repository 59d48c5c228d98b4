"""The settings as `doctor` shows them: every variable bot/settings.py reads, the value the bot
will use (secrets hidden), and every bad one with its own one-line error, not just the first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings
from bot.settings_values import ConfigError

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Where a variable's name is not its field's in upper case.
_FIELDS = {
    "TELEGRAM_BOT_TOKEN": "telegram_token",
    "BOT_ADMINS": "admins",
    "FLOOD_MESSAGES_PER_MINUTE": "flood_per_minute",
    "SIGNAL_MESSAGES_PER_MINUTE": "signal_per_minute",
    "TELEGRAM_MESSAGES_PER_SECOND": "telegram_per_second",
}
_GROUPS = {"PRIVACY_CONTROLLER_": "privacy_controller", "PRIVACY_DPO_": "privacy_dpo"}
_SECRET_WORDS = re.compile(r"TOKEN|PASSWORD|SECRET|KEY")
_VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*): ")
_UNKNOWN = object()


@dataclass(frozen=True)
class Variable:
    name: str
    shown: str  # the value the bot uses, secrets hidden
    is_set: bool
    error: str | None = None  # the one-line ConfigError, when the value is refused


class _Reading(dict[str, str]):
    """An environment that notes which variables are asked for, in order."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.asked: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.asked:
            self.asked.append(key)
        return super().get(key, default)


def variable_names() -> list[str]:
    """Every variable Settings.from_env reads, in its order."""
    reading = _Reading({})
    Settings.from_env(reading)
    return reading.asked


def examine(env: Mapping[str, str]) -> tuple[list[Variable], Settings]:
    """Each variable with its value or its error, and the settings the valid ones make (a
    refused variable falls back to its default there: what depends on it is not checked)."""
    names = variable_names()
    given = {name: env[name] for name in names if env.get(name, "").strip()}
    errors: dict[str, str] = {}
    while True:
        try:
            settings = Settings.from_env(given)
            break
        except ConfigError as error:
            message = str(error)
            match = _VARIABLE.match(message)
            named = match[1] if match else "configuration"
            errors.setdefault(named, message)
            # The variable at fault, or the ones its message names (SIGNAL_ACCOUNT without
            # SIGNAL_CLI_URL is reported on the one that is missing).
            dropped = [named] if named in given else [n for n in given if n in message]
            if not dropped:
                raise
            for name in dropped:
                errors.setdefault(name, message)
                del given[name]
    return [
        Variable(
            name,
            "" if name in errors else shown(name, settings, env.get(name)),
            name in env and bool(env[name].strip()),
            errors.get(name),
        )
        for name in names
    ], settings


def shown(name: str, settings: Settings, raw: str | None = None) -> str:
    value = _value(name, settings)
    if value is _UNKNOWN:  # a setting kept under another name: its text as given
        value = raw.strip() if raw and raw.strip() else "(default)"
    if value is None:
        return "(not set)"
    if name == "TELEGRAM_BOT_TOKEN":
        return f"{str(value).split(':', 1)[0]}:<hidden>"
    if name == "SIGNAL_ACCOUNT":  # the bot's own number, which the logs never show either
        return f"{str(value)[:4]}…{str(value)[-2:]}"
    if _SECRET_WORDS.search(name):
        return "<hidden>"
    text = _text(name, value)
    if "://" in text and "@" in text:
        try:
            return make_url(text).render_as_string(hide_password=True)
        except ArgumentError:
            return "<hidden>"
    return text


def _value(name: str, settings: Settings) -> Any:
    path = _FIELDS.get(name)
    for prefix, group in _GROUPS.items():
        if name.startswith(prefix):
            path = f"{group}.{name.removeprefix(prefix).lower()}"
    if name.startswith("RETAIN_"):
        path = "retention." + name.removeprefix("RETAIN_").lower()
    value: Any = settings
    for part in (path or name.lower()).split("."):
        if not hasattr(value, part):
            return _UNKNOWN
        value = getattr(value, part)
    return value


def _text(name: str, value: Any) -> str:
    if name == "WORKING_DAYS":
        return ",".join(_WEEKDAYS[day] for day in sorted(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, frozenset | set):
        return ",".join(sorted(str(item) for item in value)) or "(none)"
    if isinstance(value, tuple) and value and isinstance(value[0], time):
        return "-".join(moment.strftime("%H:%M") for moment in value)
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)
