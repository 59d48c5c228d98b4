"""Every catalog complete, current with the code, without fuzzy entries, with the placeholders,
tags and commands of its source string, and compilable."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.operations.catalogs import catalog, source_strings, translations
from conversations.languages import LANGUAGE_CODES

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")
# Words that are spelled alike in English and another language, reviewed one by one.
SAME_WORDS = {"de": {"Organisation", "Region", "Region: {region}"}}


def test_the_template_is_current_with_the_code() -> None:
    with (LOCALES / "messages.pot").open("rb") as file:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    in_code = source_strings()
    assert in_code - template == set(), "run `make i18n`: strings missing from the catalogs"
    assert template - in_code == set(), "run `make i18n`: the catalogs hold unused strings"


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
def test_the_catalog_is_complete(locale: str) -> None:
    messages = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog(locale) if m.id}
    assert source_strings() - messages.keys() == set()
    for message in messages.values():
        assert not message.fuzzy, f"{locale}: fuzzy entry {message.id!r}"
        for source, translated in translations(message):
            assert translated.strip(), f"{locale}: no translation for {source!r}"


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
def test_translations_keep_placeholders_tags_and_commands(locale: str) -> None:
    for message in catalog(locale):
        if not message.id:
            continue
        for source, translated in translations(message):
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(source)), (
                f"{locale}: placeholders differ in {translated!r}"
            )
            assert sorted(TAG.findall(translated)) == sorted(TAG.findall(source)), (
                f"{locale}: tags differ in {translated!r}"
            )
            assert set(COMMAND.findall(source)) <= set(COMMAND.findall(translated)), (
                f"{locale}: a command is missing in {translated!r}"
            )


@pytest.mark.parametrize("locale", [code for code in LANGUAGE_CODES if code != "en"])
def test_no_english_is_left_in_another_catalog(locale: str) -> None:
    untranslated = [
        source
        for message in catalog(locale)
        if message.id
        for source, translated in translations(message)
        if translated == source
        and re.search(r"[a-z]{4,}", PLACEHOLDER.sub("", source))
        and not COMMAND.fullmatch(source.strip())
        and "python -m bot" not in source
        and source not in SAME_WORDS.get(locale, set())
    ]
    assert untranslated == []


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
def test_the_catalog_compiles(locale: str) -> None:
    buffer = BytesIO()
    write_mo(buffer, catalog(locale))
    assert buffer.tell() > 0
    assert list(catalog(locale).check()) == []
