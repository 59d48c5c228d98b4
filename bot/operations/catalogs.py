"""What makes a catalog complete: every string the code uses, translated, none fuzzy. Shared by
`doctor` and the catalog tests."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LOCALES_DIR

ROOT = LOCALES_DIR.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "ngettext": (1, 2)}
SOURCE_PACKAGES = ("bot", "conversations")


def po_path(locale: str, directory: Path = LOCALES_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog(locale: str, directory: Path = LOCALES_DIR) -> Catalog:
    with po_path(locale, directory).open("rb") as file:
        return read_po(file, locale=locale)


def source_strings(root: Path = ROOT) -> set[str]:
    """The msgids the code passes to gettext (the singular of plural ones)."""
    found: set[str] = set()
    for package in SOURCE_PACKAGES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / package, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def translations(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs; plural forms compare with the plural source."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string))]
    singular, plural = message.id
    forms = message.string if isinstance(message.string, tuple | list) else [message.string or ""]
    return [(singular if i == 0 else plural, form) for i, form in enumerate(forms)]


def gaps(locale: str, sources: set[str], directory: Path = LOCALES_DIR) -> list[str]:
    """What the catalog lacks, one phrase each: strings missing, fuzzy or untranslated."""
    messages = {
        m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog(locale, directory) if m.id
    }
    missing = sources - messages.keys()
    fuzzy = [key for key, message in messages.items() if message.fuzzy]
    empty = [
        key
        for key, message in messages.items()
        if any(not translated.strip() for _, translated in translations(message))
    ]
    found = [
        (len(missing), "missing"),
        (len(fuzzy), "fuzzy"),
        (len(empty), "without a translation"),
    ]
    return [f"{count} string{'s' if count > 1 else ''} {what}" for count, what in found if count]
