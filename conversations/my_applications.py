"""/myapplications: each of a person's applications, its state, and what they can do next."""

from __future__ import annotations

from html import escape

from conversations.engine import Context, command_choice
from conversations.grant_terms import STATUSES
from conversations.messages import Choice, rows


async def run_my_applications(ctx: Context) -> None:
    _ = ctx.t.gettext
    applications = await ctx.ports.grants.of_user(ctx.user.id)
    if not applications:
        ctx.say(
            _("You have not applied for funding yet."),
            rows(
                command_choice(_("Apply for funding"), "apply"),
                command_choice(_("Main menu"), "menu"),
            ),
        )
        return
    lines = [_("<b>Your applications</b>")]
    actions: list[Choice] = []
    for application in applications:
        amount = (
            application.approved_cents
            if application.status == "approved"
            else application.total_cents
        )
        lines.append(
            _("{reference} “{title}”: {status}, {amount}").format(
                reference=application.reference or _("Draft"),
                title=escape(application.title or _("without a title yet")),
                status=_(STATUSES[application.status]),
                amount=ctx.t.format_money(amount or 0),
            )
        )
        if application.status == "draft":
            lines.append(_("Next: complete and submit it."))
            actions.append(command_choice(_("Continue the draft"), "apply"))
        elif application.status == "changes_requested":
            lines.append(
                _("Next: change it as asked and submit it again: {reason}").format(
                    reason=escape(application.decision_reason or "")
                )
            )
            actions.append(command_choice(_("Change and resubmit"), "apply"))
        elif application.status == "submitted":
            lines.append(_("Next: wait for the decision of the district office."))
        elif application.status == "approved":
            lines.append(_("Next: carry out the project, then report what it reached."))
    ctx.say("\n".join(lines), rows(*actions[:1], command_choice(_("Main menu"), "menu")))
