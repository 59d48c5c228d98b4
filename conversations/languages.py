"""The languages Gemeinsam speaks, each named in its own script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    endonym: str
    right_to_left: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("de", "Deutsch"),
    Language("en", "English"),
    Language("ar", "العربية", right_to_left=True),
    Language("fa", "فارسی", right_to_left=True),
    Language("uk", "Українська"),
    Language("ru", "Русский"),
)
LANGUAGE_CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)

# Telegram and phones report IETF tags; a few name our languages differently.
_ALIASES = {"prs": "fa", "fa-af": "fa", "ua": "uk"}


def match_language(tag: str | None, default: str) -> str:
    """The supported language closest to an IETF tag such as `de-AT` or `ar_SY`, else `default`."""
    if not tag:
        return default
    tag = tag.strip().lower().replace("_", "-")
    if tag in _ALIASES:
        return _ALIASES[tag]
    primary = tag.split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGE_CODES else default


def endonym(code: str) -> str:
    return next(language.endonym for language in LANGUAGES if language.code == code)
