"""Routing of one inbound message: commands first, then the active flow's step, then fall-backs.

The engine validates input against the question before the flow sees it, so bad input gets a
hint and the same question again, and nothing typed so far is lost. What a flow is made of is in
`flow`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from conversations import back
from conversations.flow import (
    COMMAND_PREFIX,
    Action,
    Answer,
    Command,
    Context,
    Flow,
    Invalid,
    MenuBuilder,
    Question,
)
from conversations.limits import DISPLAY_NAME, file_name, one_line, too_long, too_short, typed
from conversations.messages import Inbound, InboundKind
from conversations.roles import allows


@dataclass
class Engine:
    show_menu: MenuBuilder
    flows: dict[str, Flow] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    # Buttons that work whatever is open, e.g. the answer to an invitation: `prefix:arg:arg`.
    # Their prefixes are reserved: no flow may use them for its own buttons.
    actions: dict[str, Action] = field(default_factory=dict)
    onboarding_flow: str = "onboarding"
    # Tried in turn for what comes outside any conversation; True when it was understood.
    understand: Callable[[Context], Awaitable[bool]] | None = None
    # Tried before anything else; True when it took the turn (a changed privacy notice).
    consent: Callable[[Context], Awaitable[bool]] | None = None

    def add_flow(self, flow: Flow) -> None:
        self.flows[flow.name] = flow

    def add_command(self, command: Command) -> None:
        self.commands[command.name] = command

    def add_action(self, prefix: str, action: Action) -> None:
        self.actions[prefix] = action

    async def handle(self, ctx: Context) -> None:
        ctx.inbound = cleaned(ctx.inbound)
        if self.consent is not None and await self.consent(ctx):
            return
        name = _command_name(ctx.inbound)
        if ctx.inbound.kind is InboundKind.RESUME:
            if ctx.state.active or ctx.user.onboarded:
                await self.ask_again(ctx)
        elif name is not None:
            await self._run_command(ctx, name)
        elif (action := self._action(ctx)) is not None:
            before = (ctx.state.flow, ctx.state.step)
            try:
                await action(ctx, (ctx.inbound.data or "").split(":")[1:])
            except (ValueError, IndexError):  # forged or garbled data: no number, too few parts
                ctx.say(_no_longer_valid(ctx))
                if not ctx.state.active:
                    await self.show_menu(ctx)
            if ctx.state.active and (ctx.state.flow, ctx.state.step) == before:
                await self.ask_again(ctx)  # the open question, after the answer
        elif ctx.state.active and ctx.state.flow in self.flows:
            await self._continue(ctx)
        elif not ctx.user.onboarded:
            await self.start_flow(ctx, self.onboarding_flow)
        elif self.understand is not None and await self.understand(ctx):
            pass
        else:
            ctx.state.clear()
            _ = ctx.t.gettext
            if ctx.inbound.kind is InboundKind.CHOICE:
                ctx.say(_no_longer_valid(ctx))
            else:
                ctx.say(_("I did not understand that. Please choose from the menu."))
            await self.show_menu(ctx)

    def _action(self, ctx: Context) -> Action | None:
        data = ctx.inbound.data
        if ctx.inbound.kind is not InboundKind.CHOICE or not data or not ctx.user.onboarded:
            return None
        return self.actions.get(data.split(":", 1)[0])

    async def start_flow(
        self, ctx: Context, name: str, data: dict[str, Any] | None = None, step: str | None = None
    ) -> None:
        flow = self.flows[name]
        if not allows(ctx.user, flow.permission):
            await self._refuse(ctx)
            return
        ctx.state.enter(name, step or flow.first_step, data)
        ctx.state.data.pop(back.TRAIL, None)  # a trail belongs to the flow it was made in
        await self._ask(ctx, flow, step or flow.first_step)

    async def ask_again(self, ctx: Context) -> None:
        """Repeat the current question, or show the menu (or the set-up) when no flow is open."""
        if ctx.state.active and ctx.state.flow in self.flows and ctx.state.step:
            flow = self.flows[ctx.state.flow]
            await self._ask(ctx, flow, _known_step(ctx, flow))
        elif ctx.user.onboarded:
            await self.show_menu(ctx)
        else:
            await self.start_flow(ctx, self.onboarding_flow)

    async def _run_command(self, ctx: Context, name: str) -> None:
        _ = ctx.t.gettext
        command = self.commands.get(name)
        if command is None:
            ctx.say(_("I do not know that command. /help shows what I can do."))
            await self.ask_again(ctx)
            return
        if not ctx.user.onboarded and not command.before_onboarding:
            ctx.say(_("Please finish setting up first; it only takes a moment."))
            await self.ask_again(ctx)
            return
        if not allows(ctx.user, command.permission):
            await self._refuse(ctx)
            return
        await command.run(ctx)
        if command.keeps_flow and ctx.state.active:
            await self.ask_again(ctx)

    async def _continue(self, ctx: Context) -> None:
        assert ctx.state.flow is not None and ctx.state.step is not None
        flow = self.flows[ctx.state.flow]
        step = _known_step(ctx, flow)
        if not allows(ctx.user, flow.permission):
            ctx.state.clear()
            await self._refuse(ctx)
            return
        said = len(ctx.replies)
        try:
            question = back.offered(ctx, flow, await flow.ask(ctx, step))
        except Invalid:  # what it was about is gone (a draft deleted after its retention)
            await self._ask(ctx, flow, step)  # which says so and leaves the flow
            return
        del ctx.replies[said:]  # what the question says besides itself was said when it was asked
        if back.wanted(ctx, flow):
            own = back.own_back(question)
            if own is None:
                await self._back(ctx, flow, step)
                return
            answer: Answer | None = Answer(data=own.data, text=ctx.inbound.text)
        else:
            answer = _read(ctx, question)
        if answer is None:
            ctx.ask(question)
            return
        back.prepare(ctx.state, flow)
        try:
            next_step = await flow.answer(ctx, step, answer)
        except Invalid as invalid:
            ctx.say(invalid.message)
            await self._ask(ctx, flow, step)
            return
        if ctx.user_deleted:
            return
        handover = ctx.take_next_flow()
        if handover is not None:
            await self.start_flow(ctx, *handover)
        elif next_step is None:
            ctx.state.clear()
        else:
            back.moved(ctx.state, flow, step, next_step)
            ctx.state.step = next_step
            await self._ask(ctx, flow, next_step)

    async def _back(self, ctx: Context, flow: Flow, step: str) -> None:
        """The question before, as it was asked (its answer kept); the same at the first."""
        previous = back.step_before(ctx.state)
        if previous is None:
            ctx.say(back.first_question(ctx))
        ctx.state.step = step = previous or step
        await self._ask(ctx, flow, step)

    async def _ask(self, ctx: Context, flow: Flow, step: str) -> None:
        try:
            question = await flow.ask(ctx, step)
        except Invalid as error:
            # The question cannot be asked any more (what it was about is gone): say why and
            # leave the flow, rather than fail the turn.
            ctx.state.clear()
            ctx.say(error.message)
            await self.show_menu(ctx)
            return
        ctx.ask(back.offered(ctx, flow, question))

    async def _refuse(self, ctx: Context) -> None:
        _ = ctx.t.gettext
        ctx.say(_("Sorry, only staff of the district office can do that."))
        await self.ask_again(ctx)


def _known_step(ctx: Context, flow: Flow) -> str:
    """The saved step, or the flow's first where an update has since removed that step: the
    answers given so far stay, and the conversation carries on rather than fail."""
    if not hasattr(flow, f"ask_{ctx.state.step}") or not hasattr(flow, f"on_{ctx.state.step}"):
        ctx.state.step = flow.first_step
    assert ctx.state.step is not None
    return ctx.state.step


def cleaned(inbound: Inbound) -> Inbound:
    """What a person sent, through the one boundary for typed input (`conversations.limits`)."""
    attachment = inbound.attachment
    if attachment is not None and attachment.name is not None:
        attachment = replace(attachment, name=file_name(attachment.name))
    name = one_line(inbound.display_name or "")[: DISPLAY_NAME.high] or None
    return replace(
        inbound,
        text=typed(inbound.text),
        args=typed(inbound.args),
        data=typed(inbound.data) if inbound.data is not None else None,
        display_name=name,
        attachment=attachment,
    )


def _no_longer_valid(ctx: Context) -> str:
    if ctx.inbound.numbered:
        return ctx.t.gettext("That choice is no longer open.")
    return ctx.t.gettext("That button is no longer valid.")


def _command_name(inbound: Inbound) -> str | None:
    if inbound.kind is InboundKind.COMMAND and inbound.command:
        return inbound.command.lower()
    if (
        inbound.kind is InboundKind.CHOICE
        and inbound.data
        and inbound.data.startswith(COMMAND_PREFIX)
    ):
        return inbound.data.removeprefix(COMMAND_PREFIX)
    return None


def _read(ctx: Context, question: Question) -> Answer | None:
    """The answer the input gives to `question`, or None after saying what was expected.
    Where choices are numbered lines, a typed choice that is not one of this question's (an old
    list) is read as the text it was."""
    _ = ctx.t.gettext
    inbound = ctx.inbound
    if inbound.kind is InboundKind.CHOICE and inbound.data:
        if question.choice_for(inbound.data) is not None:
            return Answer(data=inbound.data, text=inbound.text if inbound.numbered else "")
        if not inbound.numbered:
            ctx.say(_("That button belongs to an earlier question. Please answer this one:"))
            return None
    if inbound.kind in (InboundKind.TEXT, InboundKind.CHOICE) and inbound.text.strip():
        text = inbound.text.strip()
        chosen = question.choice_labelled(text)
        if chosen is not None:
            return Answer(data=chosen.data, text=text)
        if question.free_text and question.limit is not None:
            if len(text) > question.limit.high:
                ctx.say(too_long(ctx.t, question.limit, len(text)))
                return None
            if len(text) < question.limit.low:
                ctx.say(too_short(ctx.t, question.limit))
                return None
        if question.free_text or question.numeric:
            return Answer(text=text)
        if inbound.numbered:
            ctx.say(_("Please answer with one of the numbers shown."))
        else:
            ctx.say(_("Please tap one of the buttons below."))
        return None
    if question.accepts_files and inbound.attachment is not None:
        return Answer(attachment=inbound.attachment)
    if question.free_text or question.numeric:
        ctx.say(_("I cannot use that here. Please type your answer as a text message."))
    elif inbound.numbered:
        ctx.say(_("I cannot use that here. Please answer with one of the numbers shown."))
    else:
        ctx.say(_("I cannot use that here. Please tap one of the buttons below."))
    return None
