"""What every part of the /apply wizard shares: the draft being filled in, where to go after an
answer, and the question that offers to keep the current value."""

from __future__ import annotations

from html import escape
from typing import Literal

from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.grants.ports import ApplicationView
from conversations.grants.summary import first_open_step
from conversations.limits import PROJECT_DESCRIPTION, TextLimit, one_line, too_long, too_short
from conversations.messages import Choice

KEEP = "keep"
PREVIOUS = "previous"  # the answer given in the person's last submitted application
PREVIOUS_LABEL = 40  # characters of that answer shown on its button


def text_answer(ctx: Context, answer: Answer, limit: TextLimit) -> str:
    """The typed answer within `limit` (the engine checked it already; this holds after spaces
    are folded): on one line, but for the description, which keeps its paragraphs."""
    text = answer.text.strip() if limit is PROJECT_DESCRIPTION else one_line(answer.text)
    if len(text) < limit.low:
        raise Invalid(too_short(ctx.t, limit))
    if len(text) > limit.high:
        raise Invalid(too_long(ctx.t, limit, len(text)))
    return text


class ApplicationSteps(Flow):
    """The base of the wizard and of its parts (`ProjectDateSteps`, `CostPlanSteps`)."""

    async def application(self, ctx: Context) -> ApplicationView:
        application = await ctx.ports.grants.get(int(ctx.state.data["application_id"]))
        if application is None:
            raise Invalid(ctx.t.gettext("This application no longer exists."))
        return application

    async def then(self, ctx: Context) -> str:
        """Back to the summary when one part was being changed, else the first question not
        answered yet: the next one for a new draft, the one left open for a resumed one."""
        if ctx.state.data.get("editing"):
            return "summary"
        return first_open_step(await self.application(ctx))

    async def previous(
        self, ctx: Context, field: Literal["applicant_name", "contact"]
    ) -> str | None:
        """What the person answered in their last submitted application, to offer it again."""
        submitted = [a for a in await ctx.ports.grants.of_user(ctx.user.id) if a.submitted_at]
        if not submitted:
            return None
        last = max(submitted, key=lambda a: (a.submitted_at, a.id))
        value: str | None = getattr(last, field)
        return value or None

    def question(
        self,
        ctx: Context,
        text: str,
        current: str | None = None,
        choices: tuple[tuple[Choice, ...], ...] = (),
        *,
        numeric: bool = False,
        limit: TextLimit | None = None,
        previous: str | None = None,
    ) -> Question:
        """`previous`: an earlier answer offered as a button (data `PREVIOUS`) when the draft
        has none yet; typing still works."""
        _ = ctx.t.gettext
        if ctx.state.data.get("editing") and current:
            text += "\n\n" + _("Now: {value}").format(value=escape(current))
            choices = (*choices, (Choice(_("Keep it"), KEEP),))
        elif previous and not current:
            label = (
                previous
                if len(previous) <= PREVIOUS_LABEL
                else previous[: PREVIOUS_LABEL - 1] + "…"
            )
            choices = ((Choice(label, PREVIOUS),), *choices)
        return Question(text, choices, free_text=True, numeric=numeric, limit=limit)
