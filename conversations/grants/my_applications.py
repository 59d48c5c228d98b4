"""/myapplications, and /apply with an application open: each application's state and what the
person can do next with it: continue it, withdraw it, report on the project."""

from __future__ import annotations

from html import escape

from conversations.flow import (
    COMMAND_PREFIX,
    Answer,
    Context,
    Flow,
    Invalid,
    Question,
    command_choice,
)
from conversations.grants.ports import ApplicationView
from conversations.grants.report import ReportOnProject
from conversations.grants.summary import first_open_step, status_label
from conversations.messages import Choice, rows

WIZARD = "apply"  # the name of the application wizard, whose module imports this one


async def run_my_applications(ctx: Context) -> None:
    question = await overview(ctx)
    if any(not c.data.startswith(COMMAND_PREFIX) for row in question.choices for c in row):
        await ctx.engine.start_flow(ctx, ContinueApplication.name, step="overview")
    else:  # nothing to do but wait: no conversation to keep open
        ctx.say(question.text, question.choices)


async def overview(ctx: Context) -> Question:
    _ = ctx.t.gettext
    applications = await ctx.ports.grants.of_user(ctx.user.id)
    if not applications:
        return Question(
            _("You have not applied for funding yet."),
            rows(
                command_choice(_("Apply for funding"), "apply"),
                command_choice(_("Main menu"), "menu"),
            ),
        )
    reportable = {a.id for a in await ctx.ports.reports.reportable_of(ctx.user.id)}
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
                status=status_label(ctx.t, application.status),
                amount=ctx.t.format_money(amount or 0),
            )
        )
        lines += await next_steps(ctx, application)
        if application.status in ("draft", "changes_requested"):
            label = (
                _("Continue the draft")
                if application.status == "draft"
                else _("Change and resubmit")
            )
            actions += [
                Choice(label, f"open:continue:{application.id}"),
                Choice(_("Withdraw the application"), f"open:withdraw:{application.id}"),
            ]
        if application.id in reportable:
            actions.append(
                Choice(
                    _("Report {reference}").format(reference=application.reference),
                    f"open:report:{application.id}",
                )
            )
    return Question("\n".join(lines), rows(*actions, command_choice(_("Main menu"), "menu")))


async def next_steps(ctx: Context, application: ApplicationView) -> list[str]:
    _ = ctx.t.gettext
    if application.status == "draft":
        return [_("Next: complete and submit it.")]
    if application.status == "changes_requested":
        return [
            _("Next: change it as asked and submit it again: {reason}").format(
                reason=escape(application.decision_reason or "")
            )
        ]
    if application.status == "submitted":
        return [_("Next: wait for the decision of the district office.")]
    if application.status != "approved":
        return []
    report = await ctx.ports.reports.report_of(application.id)
    if report is None:
        if application.report_due_on is None:
            return [_("Next: carry out the project, then report what it reached.")]
        return [
            _("Next: carry out the project, then report what it reached by {date}.").format(
                date=ctx.t.format_date(application.report_due_on)
            )
        ]
    reference = application.reference
    if report.status == "submitted":
        return [
            _("Thank you! Your report on {reference} has been sent to the district office.").format(
                reference=reference
            )
        ]
    if report.status == "accepted":
        return [
            _("Thank you: your report on {reference} has been accepted.").format(
                reference=reference
            )
        ]
    lines = [_("Next: finish your report and send it.")]
    if report.staff_note:
        lines.append(
            _("Note from the district office: {reason}").format(reason=escape(report.staff_note))
        )
    return lines


async def resume(ctx: Context, application_id: int) -> None:
    """Open the wizard where the application stands. One whose round has ended moves into the
    round open now, so that its dates and costs are asked within that round."""
    grants = ctx.ports.grants
    application = await grants.get(application_id)
    if application is None:
        raise Invalid(ctx.t.gettext("This application no longer exists."))
    today = ctx.t.local_date(ctx.ports.clock.now())
    own = application.round
    if not own.opens_on <= today <= own.closes_on:
        open_round = await grants.open_round()
        if open_round is not None:
            await grants.update(application_id, round_id=open_round.id)
    step = first_open_step(application)
    ctx.switch_to(WIZARD, {"application_id": application_id, "editing": step == "summary"}, step)


async def start_again(ctx: Context) -> None:
    """After a draft was discarded: a new application, while a round is open."""
    if await ctx.ports.grants.open_round() is None:
        ctx.say(ctx.t.gettext("There is no open funding round at the moment."))
        await ctx.engine.show_menu(ctx)
    else:
        ctx.switch_to(WIZARD)


class ContinueApplication(Flow):
    """From /apply with an application open (`choose`) or from /myapplications (`overview`):
    continue an application, withdraw it, or report on an approved project."""

    name = "apply_open"
    first_step = "choose"

    async def application(self, ctx: Context) -> ApplicationView:
        application = await ctx.ports.grants.get(int(ctx.state.data["application_id"]))
        if application is None:
            raise Invalid(ctx.t.gettext("This application no longer exists."))
        return application

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        title = escape(application.title or _("without a title yet"))
        choices = [Choice(_("Continue"), "open:continue")]
        if application.status == "draft":
            text = _("You have an unfinished application: “{title}”.").format(title=title)
            choices.append(Choice(_("Discard it and start again"), "open:discard"))
        else:
            text = _(
                "The district office asked for changes to your application {reference}: {reason}"
            ).format(
                reference=application.reference, reason=escape(application.decision_reason or "")
            )
            choices.append(Choice(_("Withdraw the application"), "open:withdraw"))
        return Question(text, rows(*choices, command_choice(_("Main menu"), "menu")))

    async def on_choose(self, ctx: Context, answer: Answer) -> str | None:
        application_id = int(ctx.state.data["application_id"])
        if answer.data == "open:withdraw":
            ctx.state.data["back"] = "choose"
            return "withdraw"
        if answer.data == "open:discard":
            await ctx.ports.grants.discard(application_id)
            ctx.say(ctx.t.gettext("The draft has been discarded."))
            await start_again(ctx)
            return None
        await resume(ctx, application_id)
        return None

    async def ask_overview(self, ctx: Context) -> Question:
        return await overview(ctx)

    async def on_overview(self, ctx: Context, answer: Answer) -> str | None:
        action, _sep, application_id = (answer.data or "").removeprefix("open:").partition(":")
        ctx.state.data["application_id"] = int(application_id)
        if action == "withdraw":
            ctx.state.data["back"] = "overview"
            return "withdraw"
        if action == "report":
            ctx.switch_to(
                ReportOnProject.name, {"application_id": int(application_id)}, "volunteers"
            )
            return None
        await resume(ctx, int(application_id))
        return None

    async def ask_withdraw(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return Question(
            _(
                "Do you really want to withdraw the application “{title}”? This cannot be undone."
            ).format(title=escape(application.title or _("without a title yet"))),
            rows(
                Choice(_("Yes, withdraw it"), "withdraw:yes"),
                Choice(_("Back"), "withdraw:back"),
            ),
        )

    async def on_withdraw(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        back = str(ctx.state.data.get("back", "choose"))
        if answer.data == "withdraw:back":
            return back
        application = await self.application(ctx)
        await ctx.ports.grants.discard(application.id)
        if application.reference is None:
            ctx.say(_("The draft has been discarded."))
        else:
            ctx.say(
                _("Your application {reference} has been withdrawn.").format(
                    reference=application.reference
                )
            )
        if back == "overview":
            return "overview"
        await start_again(ctx)
        return None
