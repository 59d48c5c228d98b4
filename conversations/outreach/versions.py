"""Versions in other languages, shared by announcements and surveys: which languages have one,
and which version people read whose language has none (German, or English where there is one)."""

from __future__ import annotations

from collections.abc import Container

from conversations.flow import Answer, Question
from conversations.languages import LANGUAGES
from conversations.messages import Choice, rows
from conversations.ports import Translator


def versions_question(t: Translator, chosen: Container[str]) -> Question:
    """The languages besides German, a tick on those with a version; tapping one writes it."""
    _ = t.gettext
    buttons = [
        Choice(("✓ " if lang.code in chosen else "") + lang.endonym, f"version:{lang.code}")
        for lang in LANGUAGES
        if lang.code != "de"
    ]
    return Question(
        _(
            "Add a version in another language? People without a version in "
            "their language get the German or the English one."
        ),
        rows(*buttons, Choice(_("Done"), "version:done"), per_row=3),
    )


def version_of(answer: Answer) -> str:
    """The language tapped in `versions_question`, or "done"."""
    return (answer.data or "").removeprefix("version:")


def fallback_question(t: Translator) -> Question:
    """Asked only when there is an English version: otherwise German is the fallback."""
    return Question(
        t.gettext("Which version do people get whose language has none?"),
        rows(Choice("Deutsch", "fallback:de"), Choice("English", "fallback:en")),
    )


def fallback_of(answer: Answer) -> str:
    return (answer.data or "").removeprefix("fallback:")
