"""/broadcast for staff: the audience (role, regions, languages) with how many it reaches, the
message in German and in other languages, a summary to change any part (`broadcast_summary`), a
preview per language, and one last look before it is sent."""

from __future__ import annotations

from html import escape
from typing import Any

from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.languages import LANGUAGES
from conversations.limits import ANNOUNCEMENT, record_id
from conversations.messages import Choice, Reply, rows
from conversations.outreach.broadcast_summary import BroadcastSummarySteps
from conversations.outreach.ports import Audience, BroadcastView, SurveyRuleError
from conversations.outreach.versions import (
    fallback_of,
    fallback_question,
    version_of,
    versions_question,
)
from conversations.ports import Translator
from conversations.roles import Permission, allows
from conversations.summary import KEEP, SUMMARY, keeping, then

ROLES = (("everyone", ()), ("volunteers", ("volunteer",)), ("newcomers", ("newcomer",)))
REMOVE = "version_text:remove"


def progress_reply(t: Translator, view: BroadcastView, *, edit_of: str | None = None) -> Reply:
    _ = t.gettext
    number = t.format_number
    if view.status == "sending":
        heading = _("<b>Announcement {id}: sending</b>")
    elif view.status == "stopped":
        heading = _("<b>Announcement {id}: stopped</b>")
    else:
        heading = _("<b>Announcement {id}: done</b>")
    text = "\n".join(
        [
            heading.format(id=view.id),
            _("Sent: {sent} of {total}").format(sent=number(view.sent), total=number(view.total)),
            _("Waiting: {waiting}").format(waiting=number(view.waiting)),
            _("Failed: {failed}").format(failed=number(view.failed)),
            _("Unreachable (blocked the bot): {unreachable}").format(
                unreachable=number(view.unreachable)
            ),
            _("Not sent because it was stopped: {cancelled}").format(
                cancelled=number(view.cancelled)
            ),
            *(
                _("{messenger}: {sent} of {total} sent").format(
                    messenger=name.capitalize(), sent=number(sent), total=number(total)
                )
                for name, sent, total in view.messengers
            ),
        ]
    )
    stop = ((Choice(_("Stop sending"), f"bcstop:{view.id}"),),) if view.status == "sending" else ()
    return Reply(text, stop, edit_of=edit_of)


def audience_of(data: dict[str, Any]) -> Audience:
    return Audience(
        roles=tuple(data.get("roles", ())),
        regions=tuple(data.get("regions", ())),
        languages=tuple(data.get("languages", ())),
    )


class AudienceSteps:
    """Role, regions and languages: shared by announcements and surveys."""

    next_after_audience = "text"

    async def ask_role(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        labels = {
            "everyone": _("Everyone"),
            "volunteers": _("Volunteers"),
            "newcomers": _("Newcomers"),
        }
        return Question(
            _("Whom should it reach?"),
            rows(*(Choice(labels[key], f"role:{key}") for key, _r in ROLES)),
        )

    async def on_role(self, ctx: Context, answer: Answer) -> str:
        key = (answer.data or "").removeprefix("role:")
        ctx.state.data["roles"] = list(dict(ROLES)[key])
        ctx.state.data.setdefault("regions", [])
        return "regions"

    async def ask_regions(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        chosen = set(ctx.state.data.get("regions", []))
        buttons = [
            Choice(("✓ " if r.key in chosen else "") + r.name, f"region:{r.key}")
            for r in await ctx.ports.users.regions()
        ]
        return Question(
            _("Which regions? Tap to choose; none chosen means all regions."),
            rows(*buttons, Choice(_("Done"), "region:done"), per_row=2),
        )

    async def on_regions(self, ctx: Context, answer: Answer) -> str:
        key = (answer.data or "").removeprefix("region:")
        if key == "done":
            ctx.state.data.setdefault("languages", [])
            return "languages"
        chosen = list(ctx.state.data.get("regions", []))
        ctx.state.data["regions"] = (
            [k for k in chosen if k != key] if key in chosen else [*chosen, key]
        )
        return "regions"

    async def ask_languages(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        chosen = set(ctx.state.data.get("languages", []))
        buttons = [
            Choice(("✓ " if lang.code in chosen else "") + lang.endonym, f"language:{lang.code}")
            for lang in LANGUAGES
        ]
        counts = await ctx.ports.broadcasts.count(audience_of(ctx.state.data))
        total = sum(counts.values())
        text = (
            _("Which languages? Tap to choose; none chosen means all languages.")
            + "\n"
            + ctx.t.ngettext(
                "This reaches {count} person.", "This reaches {count} people.", total
            ).format(count=ctx.t.format_number(total))
        )
        return Question(text, rows(*buttons, Choice(_("Done"), "language:done"), per_row=3))

    async def on_languages(self, ctx: Context, answer: Answer) -> str:
        code = (answer.data or "").removeprefix("language:")
        if code == "done":
            counts = await ctx.ports.broadcasts.count(audience_of(ctx.state.data))
            if not counts:
                raise Invalid(ctx.t.gettext("Nobody matches this choice. Please choose again."))
            return self.next_after_audience
        chosen = list(ctx.state.data.get("languages", []))
        ctx.state.data["languages"] = (
            [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        )
        return "languages"


class SendBroadcast(BroadcastSummarySteps, AudienceSteps, Flow):
    name = "broadcast"
    first_step = "role"
    permission = Permission.STAFF
    wizard = True
    summary_step = SUMMARY

    async def on_languages(self, ctx: Context, answer: Answer) -> str:
        step = await super().on_languages(ctx, answer)
        return then(ctx, step) if step == self.next_after_audience else step

    async def ask_text(self, ctx: Context) -> Question:
        question = Question(
            ctx.t.gettext("Please write the announcement in German."),
            free_text=True,
            limit=ANNOUNCEMENT,
        )
        return keeping(ctx, question, ctx.state.data.get("texts", {}).get("de"))

    async def on_text(self, ctx: Context, answer: Answer) -> str:
        if answer.data != KEEP:  # the versions written so far stay
            ctx.state.data.setdefault("texts", {})["de"] = answer.text
        return then(ctx, "versions")

    async def ask_versions(self, ctx: Context) -> Question:
        return versions_question(ctx.t, ctx.state.data["texts"])

    async def on_versions(self, ctx: Context, answer: Answer) -> str:
        code = version_of(answer)
        if code == "done":
            asked = "fallback" in ctx.state.data
            return "fallback" if "en" in ctx.state.data["texts"] and not asked else SUMMARY
        ctx.state.data["language"] = code
        return "version_text"

    async def ask_version_text(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        code = ctx.state.data["language"]
        language = ctx.t.language_name(code)
        current = ctx.state.data["texts"].get(code)
        remove = Choice(_("Remove the {language} version").format(language=language), REMOVE)
        question = Question(
            _("Please write the version in {language}.").format(language=language),
            rows(remove) if current else (),
            free_text=True,
            limit=ANNOUNCEMENT,
        )
        return keeping(ctx, question, current)

    async def on_version_text(self, ctx: Context, answer: Answer) -> str:
        data = ctx.state.data
        code = data.pop("language")
        if answer.data == REMOVE:
            data["texts"].pop(code, None)
            if code == "en":  # German is the fallback again, as without an English version
                data.pop("fallback", None)
        elif answer.data != KEEP:
            data["texts"][code] = answer.text
        return then(ctx, "versions")

    async def ask_fallback(self, ctx: Context) -> Question:
        return fallback_question(ctx.t)

    async def on_fallback(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["fallback"] = fallback_of(answer)
        return SUMMARY

    async def ask_preview(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        counts = await ctx.ports.broadcasts.count(audience_of(ctx.state.data))
        texts, fallback = ctx.state.data["texts"], ctx.state.data.get("fallback", "de")
        for locale, count in sorted(counts.items()):
            text = texts.get(locale) or texts.get(fallback) or texts["de"]
            ctx.say(
                ctx.t.ngettext(
                    "{language}, {count} person, will read:",
                    "{language}, {count} people, will read:",
                    count,
                ).format(
                    language=capitalized(ctx.t.language_name(locale)),
                    count=ctx.t.format_number(count),
                )
                + "\n\n"
                + escape(text)
            )
        total = sum(counts.values())
        return Question(
            ctx.t.ngettext(
                "Send it to {count} person?", "Send it to {count} people?", total
            ).format(count=ctx.t.format_number(total)),
            rows(Choice(_("Send"), "preview:send"), Choice(_("Start again"), "preview:again")),
        )

    async def on_preview(self, ctx: Context, answer: Answer) -> str:
        if answer.data == "preview:again":
            ctx.state.data.clear()
            return "role"
        ctx.state.data.pop("total", None)  # counted afresh for the last look
        return "confirm"

    async def ask_confirm(self, ctx: Context) -> Question:
        """The last look: once sent, an announcement cannot be taken back from those who have it."""
        _ = ctx.t.gettext
        # Kept for the answer: "Yes, send" reads this question again, and counting 50,000
        # people there (a scan of the audience) would lengthen the turn that queues them.
        total = ctx.state.data.get("total")
        if total is None:
            counts = await ctx.ports.broadcasts.count(audience_of(ctx.state.data))
            total = ctx.state.data["total"] = sum(counts.values())
        return Question(
            ctx.t.ngettext(
                "Send the announcement to {count} person now? It cannot be taken back from "
                "those who have it.",
                "Send the announcement to {count} people now? It cannot be taken back from "
                "those who have it.",
                total,
            ).format(count=ctx.t.format_number(total)),
            rows(Choice(_("Yes, send"), "confirm:yes"), Choice(_("No, back"), "confirm:back")),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        if answer.data != "confirm:yes":
            return "preview"  # nothing sent: the previews again
        data = ctx.state.data
        texts = {locale: escape(text) for locale, text in data["texts"].items()}
        view = await ctx.ports.broadcasts.send(
            audience_of(data), texts, data.get("fallback", "de"), total=data.get("total")
        )
        ctx.say(
            ctx.t.ngettext(
                "The announcement is on its way to {count} person. A report of the delivery "
                "follows and stays up to date.",
                "The announcement is on its way to {count} people. A report of the delivery "
                "follows and stays up to date.",
                view.total,
            ).format(count=ctx.t.format_number(view.total))
        )
        await ctx.engine.show_menu(ctx)
        return None


async def run_broadcast(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, SendBroadcast.name)


async def stop_broadcast(ctx: Context, args: list[str]) -> None:
    """`bcstop:<id>`, the button under the progress report."""
    _ = ctx.t.gettext
    if not allows(ctx.user, Permission.STAFF):
        ctx.say(_("Sorry, only staff of the district office can do that."))
        return
    try:
        view = await ctx.ports.broadcasts.stop(record_id(args[0]))
    except SurveyRuleError:
        ctx.say(_("That button is no longer valid."))
        return
    ctx.say(
        ctx.t.ngettext(
            "Stopped. {count} message was not sent.",
            "Stopped. {count} messages were not sent.",
            view.cancelled,
        ).format(count=ctx.t.format_number(view.cancelled))
    )


def capitalized(name: str) -> str:
    """A language's name at the start of a line: "Українська", though "українська" in a sentence."""
    return name[:1].upper() + name[1:]
