"""What a staff member's decision on an application rests on and leads to: nobody decides on
their own application or report, an amount is checked against the budget rules before the last
look, and the applicant is told the outcome in their language."""

from __future__ import annotations

from html import escape

from conversations.flow import Context, Invalid, command_choice
from conversations.grants.ports import ApplicationView, GrantRuleError, ReportView
from conversations.grants.summary import refusal
from conversations.messages import Reply
from conversations.ports import Translator

# Refusals that leave the application to decide, with another amount or later.
BUDGET_RULES = ("over_cap", "over_pot", "over_request", "total_zero")


def approvable(t: Translator, application: ApplicationView, cents: int) -> None:
    """The budget rules as the list shows them, so that a refusal comes before the last look."""
    funding_round = application.round
    error = None
    if cents <= 0:
        error = GrantRuleError("total_zero")
    elif cents > application.total_cents:
        error = GrantRuleError(
            "over_request",
            over_by=cents - application.total_cents,
            requested=application.total_cents,
        )
    elif cents > funding_round.cap_cents:
        error = GrantRuleError(
            "over_cap", over_by=cents - funding_round.cap_cents, cap=funding_round.cap_cents
        )
    elif cents > funding_round.remaining_cents:
        error = GrantRuleError(
            "over_pot",
            over_by=cents - funding_round.remaining_cents,
            remaining=funding_round.remaining_cents,
        )
    if error is not None:
        raise Invalid(refusal(t, error))


def mine(ctx: Context, application: ApplicationView) -> bool:
    """Whether the person reviewing applied for this themselves: then someone else decides."""
    return application.user_id is not None and application.user_id == ctx.user.id


def yours(t: Translator, item: ApplicationView | ReportView) -> str:
    """One's own application or report in the list: waiting for someone else to decide."""
    if isinstance(item, ApplicationView):
        return t.gettext(
            "Yours: {reference} “{title}”. Another member of staff or an administrator must "
            "decide it."
        ).format(reference=item.reference, title=escape(item.title or ""))
    return t.gettext(
        "Your report on {reference}: another member of staff or an administrator must check it."
    ).format(reference=item.application.reference)


async def tell_applicant(ctx: Context, application: ApplicationView) -> None:
    if application.user_id is None:
        return

    def render(t: Translator) -> Reply:
        _ = t.gettext
        title = escape(application.title or "")
        reason = escape(application.decision_reason or "")
        if application.status == "approved":
            text = _(
                "Good news: your application {reference} “{title}” has been approved with "
                "{amount}. After the project, please report what it reached with /report."
            )
        elif application.status == "rejected":
            text = _(
                "Your application {reference} “{title}” has not been approved. Reason: {reason}"
            )
        else:
            text = _(
                "The district office asks for changes to your application {reference} "
                "“{title}”: {reason}\nOpen /myapplications to change and resubmit it."
            )
        return Reply(
            text.format(
                reference=application.reference,
                title=title,
                reason=reason,
                amount=t.format_money(application.approved_cents or 0),
            ),
            ((command_choice(_("My applications"), "myapplications"),),),
        )

    await ctx.ports.notifications.to_user(
        application.user_id,
        f"application:{application.id}:decision:{application.decisions}",
        render,
    )
