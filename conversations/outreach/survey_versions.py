"""The steps of /survey that write it in other languages than German: the question, then each
answer in the order of the German ones, so that answers given in any language count together."""

from __future__ import annotations

from html import escape
from typing import Any

from conversations.flow import Answer, Context, Question
from conversations.limits import SURVEY_OPTION, SURVEY_QUESTION, one_line
from conversations.messages import Choice, rows
from conversations.outreach.ports import SurveyText
from conversations.outreach.versions import (
    fallback_of,
    fallback_question,
    version_of,
    versions_question,
)
from conversations.ports import Translator
from conversations.summary import KEEP, SUMMARY, keeping

REMOVE = "version_text:remove"


def versions_of(data: dict[str, Any]) -> dict[str, SurveyText]:
    """The versions written so far, from the wizard's state."""
    return {
        locale: SurveyText(text["question"], list(text["options"]))
        for locale, text in data.get("versions", {}).items()
    }


def mismatches(t: Translator, data: dict[str, Any]) -> list[str]:
    """What is wrong with versions whose answers no longer match the German ones (after the
    German answers were changed): answers are counted by their place in every language."""
    german = len(data["options"])
    return [
        t.gettext(
            "The {language} version has {count} answers, the German one {german}. Every version "
            "needs the same answers in the same order: please write the {language} version again "
            "under “{button}”."
        ).format(
            language=t.language_name(locale),
            count=t.format_number(len(text.options)),
            german=t.format_number(german),
            button=t.gettext("Languages"),
        )
        for locale, text in versions_of(data).items()
        if len(text.options) != german
    ]


class SurveyVersionSteps:
    """Reached from the summary of /survey; returns to it."""

    async def ask_versions(self, ctx: Context) -> Question:
        return versions_question(ctx.t, ctx.state.data.get("versions", {}))

    async def on_versions(self, ctx: Context, answer: Answer) -> str:
        code = version_of(answer)
        data = ctx.state.data
        if code == "done":
            if "en" not in data.get("versions", {}):
                data.pop("fallback", None)  # German, as without an English version
                return SUMMARY
            return SUMMARY if "fallback" in data else "fallback"
        data.update(language=code, version={"question": "", "options": []})
        return "version_question"

    async def ask_version_question(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        data = ctx.state.data
        language = ctx.t.language_name(data["language"])
        text = "\n".join(
            [
                _("Please write the question in {language}.").format(language=language),
                _("In German: {text}").format(text=escape(data["question"])),
            ]
        )
        current = self.current(ctx)
        remove: tuple[tuple[Choice, ...], ...] = ()
        if current:
            remove = rows(
                Choice(_("Remove the {language} version").format(language=language), REMOVE)
            )
        question = Question(text, remove, free_text=True, limit=SURVEY_QUESTION)
        return keeping(ctx, question, current.question if current else None)

    async def on_version_question(self, ctx: Context, answer: Answer) -> str:
        data = ctx.state.data
        current = self.current(ctx)
        if answer.data == REMOVE:
            data.setdefault("versions", {}).pop(data.pop("language"), None)
            data.pop("version", None)
            return "versions"
        data["version"]["question"] = (
            current.question if current and answer.data == KEEP else answer.text
        )
        return self.next_option(ctx)

    def current(self, ctx: Context) -> SurveyText | None:
        """The version being written again, as it was."""
        return versions_of(ctx.state.data).get(ctx.state.data["language"])

    def current_option(self, ctx: Context) -> str | None:
        current = self.current(ctx)
        number = len(ctx.state.data["version"]["options"])
        return current.options[number] if current and number < len(current.options) else None

    async def ask_version_option(self, ctx: Context) -> Question:
        data = ctx.state.data
        number = len(data["version"]["options"]) + 1
        question = Question(
            ctx.t.gettext(
                "Please write answer {number} of {count} in {language}. In German: {answer}"
            ).format(
                number=ctx.t.format_number(number),
                count=ctx.t.format_number(len(data["options"])),
                language=ctx.t.language_name(data["language"]),
                answer=escape(data["options"][number - 1]),
            ),
            free_text=True,
            limit=SURVEY_OPTION,
        )
        return keeping(ctx, question, self.current_option(ctx))

    async def on_version_option(self, ctx: Context, answer: Answer) -> str:
        current = self.current_option(ctx)
        option = current if current and answer.data == KEEP else one_line(answer.text)
        ctx.state.data["version"]["options"].append(option)
        return self.next_option(ctx)

    def next_option(self, ctx: Context) -> str:
        """The next answer to write in this language, or, with all written, the language list."""
        data = ctx.state.data
        if len(data["version"]["options"]) < len(data["options"]):
            return "version_option"
        data.setdefault("versions", {})[data.pop("language")] = data.pop("version")
        return "versions"

    async def ask_fallback(self, ctx: Context) -> Question:
        return fallback_question(ctx.t)

    async def on_fallback(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["fallback"] = fallback_of(answer)
        return SUMMARY
