"""What every part of the /apply wizard shares: the draft being filled in, where to go after an
answer, and the question that offers to keep the current value."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Flow, Invalid, Question
from conversations.grants.ports import ApplicationView
from conversations.grants.summary import first_open_step
from conversations.messages import Choice

KEEP = "keep"
LIMITS = {
    "name": (2, 200),
    "organisation": (2, 200),
    "title": (3, 120),
    "description": (20, 2000),
    "item": (2, 200),
}


def text_answer(ctx: Context, answer: Answer, limit: str) -> str:
    _ = ctx.t.gettext
    low, high = LIMITS[limit]
    text = " ".join(answer.text.split()) if limit != "description" else answer.text.strip()
    if len(text) < low:
        raise Invalid(_("Please write at least {count} characters.").format(count=low))
    if len(text) > high:
        raise Invalid(
            _("Please write at most {count} characters; you wrote {length}.").format(
                count=ctx.t.format_number(high), length=ctx.t.format_number(len(text))
            )
        )
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

    def question(
        self,
        ctx: Context,
        text: str,
        current: str | None = None,
        choices: tuple[tuple[Choice, ...], ...] = (),
        *,
        numeric: bool = False,
    ) -> Question:
        _ = ctx.t.gettext
        if ctx.state.data.get("editing") and current:
            text += "\n\n" + _("Now: {value}").format(value=escape(current))
            choices = (*choices, (Choice(_("Keep it"), KEEP),))
        return Question(text, choices, free_text=True, numeric=numeric)
