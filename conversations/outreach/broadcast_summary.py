"""The end of /broadcast before its preview: whom it reaches, the German text, each version in
another language and the fallback at one glance, each with a button that asks it again and comes
back here. Long texts are shortened here; the preview that follows shows them whole."""

from __future__ import annotations

from html import escape
from typing import Any

from conversations.flow import Answer, Context, Question
from conversations.languages import LANGUAGES
from conversations.limits import shortened
from conversations.messages import Choice
from conversations.ports import Translator
from conversations.summary import CHANGE, part_to_change, summary_question

# Characters of each text in the summary: six languages and the audience stay well within a
# Telegram message (4,096 characters).
SHOWN = 400


def language_heading(t: Translator, code: str) -> str:
    """A language's name at the start of a line, in the staff member's words."""
    name = t.language_name(code)
    return name[:1].upper() + name[1:]


def written(data: dict[str, Any]) -> list[str]:
    """The languages the announcement is written in, German first, in the order of the menus."""
    return [lang.code for lang in LANGUAGES if lang.code in data["texts"]]


def audience_line(t: Translator, data: dict[str, Any], region_names: dict[str, str]) -> str:
    _ = t.gettext
    whom = {"volunteer": _("Volunteers"), "newcomer": _("Newcomers")}
    roles = [whom[role] for role in data.get("roles", ()) if role in whom]
    regions = [region_names.get(key, key) for key in data.get("regions", ())]
    languages = [t.language_name(code) for code in data.get("languages", ())]
    return _("Audience: {roles}; regions: {regions}; languages: {languages}").format(
        roles=", ".join(roles) or _("Everyone"),
        regions=escape(", ".join(regions)) or _("all"),
        languages=", ".join(languages) or _("all"),
    )


def describe_broadcast(t: Translator, data: dict[str, Any], region_names: dict[str, str]) -> str:
    """The announcement as planned so far, every typed text escaped and shortened."""
    _ = t.gettext
    lines = [_("<b>New announcement</b>"), audience_line(t, data, region_names)]
    for code in written(data):
        lines += [
            "",
            f"<b>{escape(language_heading(t, code))}</b>",
            shortened(t, data["texts"][code], SHOWN),
        ]
    lines.append("")
    if "en" in data["texts"]:
        lines.append(
            _("People whose language has no version read it in {language}.").format(
                language=t.language_name(data.get("fallback", "de"))
            )
        )
    return "\n".join(lines)


class BroadcastSummarySteps:
    """The summary and where its buttons lead; "Continue" goes on to the preview."""

    async def ask_summary(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        data = ctx.state.data
        regions = {region.key: region.name for region in await ctx.ports.users.regions()}
        buttons = [
            Choice("✎ " + _("Audience"), CHANGE + "role"),
            *(
                Choice("✎ " + language_heading(ctx.t, code), f"{CHANGE}version:{code}")
                for code in written(data)
            ),
            Choice("✎ " + _("Languages"), CHANGE + "versions"),
        ]
        if "en" in data["texts"]:
            buttons.append(Choice("✎ " + _("Fallback language"), CHANGE + "fallback"))
        return summary_question(ctx, describe_broadcast(ctx.t, data, regions), buttons)

    async def on_summary(self, ctx: Context, answer: Answer) -> str:
        step = part_to_change(ctx, answer.data)
        if step is None:
            return "preview"
        if step.startswith("version:"):
            code = step.removeprefix("version:")
            if code == "de":
                return "text"
            ctx.state.data["language"] = code
            return "version_text"
        return step
