"""/settings and /language: change the language and the region after onboarding."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from conversations.flow import Answer, Context, Flow, Question, command_choice
from conversations.languages import endonym
from conversations.messages import Choice, rows
from conversations.people.onboarding import chosen_region, language_choices, region_choices
from conversations.ports import Role


class ChooseLanguage(Flow):
    name = "language"
    first_step = "choose"

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(_("Please choose your language."), language_choices())

    async def on_choose(self, ctx: Context, answer: Answer) -> None:
        _ = ctx.t.gettext
        locale = (answer.data or "").removeprefix("lang:")
        await ctx.ports.users.set_locale(ctx.user.id, locale)
        ctx.use_locale(locale)
        _ = ctx.t.gettext
        ctx.say(
            _("From now on I will write to you in {language}.").format(
                language=ctx.t.language_name(locale)
            )
        )
        await ctx.engine.show_menu(ctx)
        return None


class Settings(Flow):
    name = "settings"
    first_step = "choose"

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        regions = {region.key: region.name for region in await ctx.ports.users.regions()}
        region = regions.get(ctx.user.region_key or "", _("not chosen"))
        text = "\n".join(
            [
                _("<b>Settings</b>"),
                _("Language: {language}").format(language=endonym(ctx.user.locale)),
                _("Region: {region}").format(region=escape(region)),
            ]
        )
        return Question(
            text,
            rows(
                Choice(_("Change language"), "settings:language"),
                Choice(_("Change region"), "settings:region"),
                Choice(_("Groups and meetings"), "settings:groups"),
                Choice(
                    _("Receive announcements again") if ctx.user.muted else _("Mute announcements"),
                    "settings:mute",
                ),
                command_choice(_("Use another messenger too"), "link"),
                command_choice(_("Main menu"), "menu"),
            ),
        )

    async def on_choose(self, ctx: Context, answer: Answer) -> str | None:
        if answer.data == "settings:language":
            ctx.switch_to(ChooseLanguage.name)
            return None
        if answer.data == "settings:mute":
            await ctx.ports.users.set_muted(ctx.user.id, not ctx.user.muted)
            ctx.user = replace(ctx.user, muted=not ctx.user.muted)
            ctx.say(
                ctx.t.gettext(
                    "Announcements are muted; meeting invitations and answers to "
                    "your applications still reach you."
                )
                if ctx.user.muted
                else ctx.t.gettext("You receive announcements again.")
            )
            return "choose"
        return "groups" if answer.data == "settings:groups" else "region"

    async def ask_groups(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        member = set(await ctx.ports.meetings.groups())
        buttons = [
            Choice(("✓ " if region.key in member else "") + region.name, f"group:{region.key}")
            for region in await ctx.ports.users.regions()
        ]
        return Question(
            _(
                "You are invited to the network meetings of the groups with a tick. Tap a group "
                "to join or leave it."
            ),
            rows(*buttons, Choice(_("Done"), "group:done"), per_row=2),
        )

    async def on_groups(self, ctx: Context, answer: Answer) -> str:
        key = (answer.data or "").removeprefix("group:")
        if key == "done":
            return "choose"
        await ctx.ports.meetings.set_group(key, key not in await ctx.ports.meetings.groups())
        return "groups"

    async def ask_region(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        if ctx.user.role == Role.NEWCOMER:
            return Question(_("Where do you live?"), await region_choices(ctx))
        return Question(_("Which region do you live or volunteer in?"), await region_choices(ctx))

    async def on_region(self, ctx: Context, answer: Answer) -> str:
        _ = ctx.t.gettext
        region_key = chosen_region(answer)
        await ctx.ports.users.set_region(ctx.user.id, region_key)
        ctx.user = replace(ctx.user, region_key=region_key)
        ctx.say(_("Your region has been saved."))
        return "choose"


async def run_settings(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, Settings.name)


async def run_language(ctx: Context) -> None:
    # Before onboarding is done, the language is its first question anyway.
    flow = ChooseLanguage.name if ctx.user.onboarded else ctx.engine.onboarding_flow
    await ctx.engine.start_flow(ctx, flow)
