"""/apply: the applicant confirms and submits; a refusal leads back to the question that can put
it right, and the district office is told of each submission."""

from __future__ import annotations

from html import escape

from conversations.flow import Answer, Context, Invalid, Question, command_choice
from conversations.grants.dates import ProjectDateSteps
from conversations.grants.ports import ApplicationView, GrantRuleError
from conversations.grants.summary import first_open_step, refusal
from conversations.messages import Choice, Reply, rows
from conversations.ports import Translator

DATE_RULES = ("in_the_past", "end_before_start", "outside_round")
BUDGET_RULES = ("total_zero", "over_cap", "over_pot")


class SubmissionSteps(ProjectDateSteps):
    """The step `confirm` of the wizard; a refusal for the dates asks for them again."""

    async def ask_confirm(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        return Question(
            "\n".join(
                [
                    _("Before you submit, please confirm:"),
                    _("1. The project is non-profit and serves the integration of newcomers."),
                    _("2. All information is true and complete."),
                    _(
                        "3. I agree that the district office stores and processes the data of this "
                        "application to decide on it and to account for the funding."
                    ),
                ]
            ),
            rows(
                Choice(_("I confirm all three and submit"), "confirm:yes"),
                Choice(_("Back to the summary"), "confirm:back"),
            ),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == "confirm:back":
            return "summary"
        grants = ctx.ports.grants
        application_id = ctx.state.data["application_id"]
        await grants.update(application_id, confirmed_at=ctx.ports.clock.now())
        try:
            submitted = await grants.submit(application_id)
        except GrantRuleError as error:
            return await self.refused(ctx, error)
        ctx.say(
            _(
                "Thank you! Your application {reference} has been submitted. The district "
                "office will review it, and you will get the decision here."
            ).format(reference=submitted.reference)
        )
        await notify_staff(ctx, submitted)
        await ctx.engine.show_menu(ctx)
        return None

    async def refused(self, ctx: Context, error: GrantRuleError) -> str:
        """Why the submission was refused, and the question that can put it right."""
        application = await self.application(ctx)  # perhaps moved into the round open now
        if error.code in DATE_RULES and application.starts_on is not None:
            # The start alone first: if it is fine, the end is at fault.
            for step, ends_on in (("start", None), ("end", application.ends_on)):
                try:
                    self.check_dates(ctx, application, application.starts_on, ends_on)
                except Invalid as invalid:
                    ctx.say(invalid.message)
                    return step
        ctx.say(refusal(ctx.t, error))
        if error.code in DATE_RULES:
            return "start"
        if error.code in BUDGET_RULES:
            return "costs"
        if error.code == "incomplete":
            ctx.state.data["editing"] = False  # each missing answer in turn, then the summary
            return first_open_step(application)
        return "summary"


async def notify_staff(ctx: Context, application: ApplicationView) -> None:
    def render(t: Translator) -> Reply:
        _ = t.gettext
        return Reply(
            _("New application {reference}: “{title}” for {amount}.").format(
                reference=application.reference,
                title=escape(application.title or ""),
                amount=t.format_money(application.total_cents),
            ),
            ((command_choice(_("Review applications"), "review"),),),
        )

    # Each submission (the first, and each after a request for changes) is told once.
    await ctx.ports.notifications.to_staff(
        f"application:{application.id}:submitted:{application.decisions}", render
    )
