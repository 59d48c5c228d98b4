"""A changed privacy notice: whoever agreed to an earlier one sees the new one at their next
message, before anything else happens, and what they were in the middle of waits for them."""

from __future__ import annotations

from dataclasses import replace

from conversations.flow import COMMAND_PREFIX, Context, Question, command_choice
from conversations.messages import Choice, InboundKind, rows
from conversations.people.privacy import (
    AGREE,
    DECLINE,
    PRIVACY_VERSION,
    DeleteData,
    agreement_choices,
    privacy_notice,
)
from conversations.people.settings import ChooseLanguage
from conversations.ports import UserView

# What stays open while the new notice waits: seeing and deleting one's data, the language.
OPEN_COMMANDS = frozenset({"mydata", "deletemydata", "language"})
OPEN_FLOWS = frozenset({DeleteData.name, ChooseLanguage.name})


def needs_consent(user: UserView) -> bool:
    return user.onboarded and user.privacy_version != PRIVACY_VERSION


async def ask_consent(ctx: Context) -> bool:
    """The engine's first look at every message: True when this turn was about the notice."""
    if not needs_consent(ctx.user) or ctx.inbound.kind is InboundKind.RESUME:
        return False
    _ = ctx.t.gettext
    question = Question(privacy_notice(ctx), agreement_choices(ctx))
    answer = _answer(ctx, question)
    if answer == AGREE:
        await ctx.ports.users.accept_privacy(ctx.user.id, PRIVACY_VERSION)
        ctx.user = replace(ctx.user, privacy_version=PRIVACY_VERSION)
        ctx.say(_("Thank you! Let us carry on where you were."))
        await ctx.engine.ask_again(ctx)
        return True
    if answer == DECLINE:
        ctx.say(
            _(
                "That is all right. Until you agree, Gemeinsam cannot do anything else for you; "
                "what you entered so far stays saved. You can agree later, or delete everything "
                "stored about you with /deletemydata."
            ),
            rows(Choice(_("I agree"), AGREE), command_choice(_("Delete my data"), "deletemydata")),
        )
        return True
    command = _command(ctx)
    if command in OPEN_COMMANDS or (command is None and ctx.state.flow in OPEN_FLOWS):
        return False
    if command != "privacy":
        ctx.say(
            _(
                "The privacy notice has changed. Please read it and tell me whether you agree "
                "before we carry on; what you entered so far is kept."
            )
        )
    ctx.ask(question)
    return True


def _answer(ctx: Context, question: Question) -> str | None:
    inbound = ctx.inbound
    if inbound.kind is InboundKind.CHOICE and inbound.data in (AGREE, DECLINE):
        return inbound.data
    if inbound.kind is InboundKind.TEXT:
        chosen = question.choice_labelled(inbound.text)
        return chosen.data if chosen is not None else None
    return None


def _command(ctx: Context) -> str | None:
    inbound = ctx.inbound
    if inbound.kind is InboundKind.COMMAND and inbound.command:
        return inbound.command.lower()
    if inbound.kind is InboundKind.CHOICE and (inbound.data or "").startswith(COMMAND_PREFIX):
        return (inbound.data or "").removeprefix(COMMAND_PREFIX)
    return None
