"""First contact: language (greeted in all six), role, region and the privacy notice, then the
main menu."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conversations.flow import Answer, Context, Flow, Question, command_choice
from conversations.languages import LANGUAGES
from conversations.messages import Choice, rows
from conversations.people.privacy import (
    DECLINE,
    PRIVACY_VERSION,
    agreement_choices,
    privacy_notice,
)
from conversations.ports import Role

NO_REGION = "none"
# The first screen, before anyone has chosen: a greeting in each language, in that language.
GREETINGS = {
    "de": "Willkommen! Bitte wählen Sie Ihre Sprache.",
    "en": "Welcome! Please choose your language.",
    "ar": "أهلاً وسهلاً! يُرجى اختيار لغتك.",
    "fa": "خوش آمدید! لطفاً زبان خود را انتخاب کنید.",
    "uk": "Ласкаво просимо! Будь ласка, оберіть мову.",
    "ru": "Добро пожаловать! Пожалуйста, выберите язык.",
}


def greeting() -> str:
    """One short message that anyone can read a line of, whatever their language."""
    lines = [GREETINGS[language.code] for language in LANGUAGES]
    return "\n".join(["<b>Gemeinsam</b> · Landkreis Ludwigslust-Parchim", "", *lines])


def language_choices() -> tuple[tuple[Choice, ...], ...]:
    return rows(*(Choice(lang.endonym, f"lang:{lang.code}") for lang in LANGUAGES), per_row=2)


async def region_choices(ctx: Context) -> tuple[tuple[Choice, ...], ...]:
    _ = ctx.t.gettext
    regions = await ctx.ports.users.regions()
    return (
        *rows(*(Choice(region.name, f"region:{region.key}") for region in regions), per_row=2),
        (Choice(_("Not sure yet"), f"region:{NO_REGION}"),),
    )


def region_question(ctx: Context, role: str | None) -> str:
    """Newcomers are asked where they live; volunteers also where they volunteer."""
    _ = ctx.t.gettext
    if role == Role.NEWCOMER:
        return _("Where do you live? Choose the town nearest to you.")
    return _("Which region do you live or volunteer in? Choose the town nearest to you.")


def chosen_region(answer: Answer) -> str | None:
    key = (answer.data or "").removeprefix("region:")
    return None if key == NO_REGION else key


class Onboarding(Flow):
    name = "onboarding"
    first_step = "language"

    async def ask_language(self, ctx: Context) -> Question:
        return Question(greeting(), language_choices())

    async def on_language(self, ctx: Context, answer: Answer) -> str:
        locale = (answer.data or "").removeprefix("lang:")
        await ctx.ports.users.set_locale(ctx.user.id, locale)
        ctx.use_locale(locale)
        return "role"

    async def ask_role(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        choices = [
            Choice(_("I volunteer"), f"role:{Role.VOLUNTEER}"),
            Choice(_("I am new in the district"), f"role:{Role.NEWCOMER}"),
        ]
        if ctx.user.is_staff or ctx.user.is_admin:
            choices.append(Choice(_("I work for the district office"), f"role:{Role.STAFF}"))
        return Question(_("How are you here?"), rows(*choices))

    async def on_role(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["role"] = (answer.data or "").removeprefix("role:")
        return "region"

    async def ask_region(self, ctx: Context) -> Question:
        return Question(region_question(ctx, ctx.state.data.get("role")), await region_choices(ctx))

    async def on_region(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["region"] = chosen_region(answer)
        return "privacy"

    async def ask_privacy(self, ctx: Context) -> Question:
        return Question(privacy_notice(ctx), agreement_choices(ctx))

    async def on_privacy(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == DECLINE:
            days = ctx.ports.users.privacy_terms().retention.unfinished_signup_days
            ctx.say(
                ctx.t.ngettext(
                    "That is all right. I have stored nothing about you apart from the technical "
                    "address needed to answer you and your language, and I delete both after "
                    "{count} day if you do not write again. Send /start if you change your mind.",
                    "That is all right. I have stored nothing about you apart from the technical "
                    "address needed to answer you and your language, and I delete both after "
                    "{count} days if you do not write again. Send /start if you change your mind.",
                    days,
                ).format(count=ctx.t.format_number(days)),
                ((command_choice(_("Start again"), "start"),),),
            )
            return None
        data: dict[str, Any] = ctx.state.data
        await ctx.ports.users.complete_onboarding(
            ctx.user.id,
            role=Role(data["role"]),
            region_key=data.get("region"),
            display_name=ctx.inbound.display_name,
        )
        await ctx.ports.users.accept_privacy(ctx.user.id, PRIVACY_VERSION)
        ctx.user = replace(
            ctx.user,
            role=Role(data["role"]),
            region_key=data.get("region"),
            consented=True,
            privacy_version=PRIVACY_VERSION,
        )
        ctx.say(_("Thank you! You are all set."))
        await ctx.engine.show_menu(ctx)
        return None


async def run_start(ctx: Context) -> None:
    _ = ctx.t.gettext
    if ctx.user.onboarded:
        ctx.say(_("Welcome back to <b>Gemeinsam</b>!"))
        await ctx.engine.show_menu(ctx)
    else:
        await ctx.engine.start_flow(ctx, Onboarding.name)
