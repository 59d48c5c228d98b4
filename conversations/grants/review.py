"""/review for staff: submitted applications oldest first, each decided with a button; an
approval or a rejection takes one more press, on a last look at what it will do.

Nobody decides on their own application or report: the list shows them as waiting for another
member of staff or an administrator, and the grant service refuses such a decision whatever a
button says."""

from __future__ import annotations

from html import escape

from conversations.answers import typed_amount
from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.grants.decisions import BUDGET_RULES, approvable, mine, tell_applicant, yours
from conversations.grants.ports import ApplicationView, GrantRuleError, ReportView
from conversations.grants.report import describe_report
from conversations.grants.summary import describe, refusal
from conversations.limits import DECISION_REASON, STAFF_NOTE, record_id
from conversations.messages import Choice, Reply, rows
from conversations.ports import Translator
from conversations.roles import Permission


class ReviewApplications(Flow):
    name = "review"
    first_step = "list"
    permission = Permission.STAFF

    async def ask_list(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        everything = await ctx.ports.grants.awaiting_decision()
        all_reports = await ctx.ports.reports.reports_awaiting()
        waiting = [a for a in everything if not mine(ctx, a)]
        reports = [r for r in all_reports if not mine(ctx, r.application)]
        own: list[ApplicationView | ReportView] = [a for a in everything if mine(ctx, a)]
        own += [r for r in all_reports if mine(ctx, r.application)]
        menu = command_choice(_("Main menu"), "menu")
        lines = [] if waiting or reports else [_("No applications or reports are waiting for you.")]
        if waiting:
            lines.append(
                ctx.t.ngettext(
                    "{count} application is waiting for a decision, oldest first:",
                    "{count} applications are waiting for a decision, oldest first:",
                    len(waiting),
                ).format(count=ctx.t.format_number(len(waiting)))
            )
        if reports:
            lines.append(
                ctx.t.ngettext(
                    "{count} report is waiting to be checked.",
                    "{count} reports are waiting to be checked.",
                    len(reports),
                ).format(count=ctx.t.format_number(len(reports)))
            )
        buttons = [
            Choice(
                f"{a.reference} · {(a.title or '')[:30]} · {ctx.t.format_money(a.total_cents)}",
                f"open:{a.id}",
            )
            for a in waiting[:40]
        ] + [
            Choice(
                _("Report {reference}").format(reference=r.application.reference),
                f"report:{r.application.id}",
            )
            for r in reports[:40]
        ]
        lines += [yours(ctx.t, item) for item in own[:10]]
        return Question("\n".join(lines), rows(*buttons, menu))

    async def on_list(self, ctx: Context, answer: Answer) -> str:
        kind, _, application_id = (answer.data or "").partition(":")
        try:
            ctx.state.data["application_id"] = record_id(application_id)
        except ValueError:
            raise Invalid(ctx.t.gettext("That button is no longer valid.")) from None
        return "report" if kind == "report" else "detail"

    async def ask_report(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        report = await ctx.ports.reports.report_of(int(ctx.state.data["application_id"]))
        if report is None:
            raise Invalid(refusal(ctx.t, GrantRuleError("not_found")))
        if mine(ctx, report.application):
            return Question(
                describe_report(ctx.t, report) + "\n\n" + yours(ctx.t, report),
                rows(Choice(_("Back to the list"), "checked:back")),
            )
        return Question(
            describe_report(ctx.t, report),
            rows(
                Choice(_("Show the receipts"), "checked:receipts"),
                Choice(_("Accept the report"), "checked:accept"),
                Choice(_("Ask for more information"), "checked:more"),
                Choice(_("Back to the list"), "checked:back"),
            ),
        )

    async def on_report(self, ctx: Context, answer: Answer) -> str:
        if answer.data == "checked:back":
            return "list"
        if answer.data == "checked:receipts":
            receipts = await ctx.ports.reports.receipts(int(ctx.state.data["application_id"]))
            for number, receipt in enumerate(receipts, start=1):
                ctx.replies.append(
                    Reply(
                        ctx.t.gettext("Receipt {number}: {name}").format(
                            number=ctx.t.format_number(number),
                            name=escape(receipt.name or receipt.mime_type or ""),
                        ),
                        forward=receipt,
                    )
                )
            if not receipts:
                ctx.say(ctx.t.gettext("There are no receipts to show here."))
            return "report"
        if answer.data == "checked:more":
            return "report_note"
        return await self.check_report(ctx, accept=True)

    async def ask_report_note(self, ctx: Context) -> Question:
        return Question(
            ctx.t.gettext("What is missing? The volunteer will read this."),
            free_text=True,
            limit=STAFF_NOTE,
        )

    async def on_report_note(self, ctx: Context, answer: Answer) -> str:
        return await self.check_report(ctx, accept=False, note=answer.text.strip())

    async def check_report(self, ctx: Context, *, accept: bool, note: str | None = None) -> str:
        _ = ctx.t.gettext
        try:
            report = await ctx.ports.reports.decide_report(
                int(ctx.state.data["application_id"]), accept=accept, note=note
            )
        except GrantRuleError as error:
            ctx.say(refusal(ctx.t, error))
            return "list"
        application = report.application
        if application.user_id is not None:

            def render(t: Translator) -> Reply:
                text = (
                    t.gettext("Thank you: your report on {reference} has been accepted.")
                    if accept
                    else t.gettext(
                        "The district office needs more information for your report "
                        "on {reference}: {note}\nPlease send /report again."
                    )
                )
                return Reply(text.format(reference=application.reference, note=escape(note or "")))

            await ctx.ports.notifications.to_user(
                application.user_id, f"report:{application.id}:checked:{report.submissions}", render
            )
        ctx.say(
            _("The report on {reference} is checked. The volunteer has been told.").format(
                reference=application.reference
            )
        )
        return "list"

    async def application(self, ctx: Context) -> ApplicationView:
        application = await ctx.ports.grants.get(int(ctx.state.data["application_id"]))
        if application is None:
            raise Invalid(refusal(ctx.t, GrantRuleError("not_found")))
        return application

    async def ask_detail(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        if mine(ctx, application):
            return Question(
                describe(ctx.t, application) + "\n\n" + yours(ctx.t, application),
                rows(Choice(_("Back to the list"), "decide:back")),
            )
        return Question(
            describe(ctx.t, application),
            rows(
                Choice(
                    _("Approve {amount}").format(
                        amount=ctx.t.format_money(application.total_cents)
                    ),
                    "decide:approve",
                ),
                Choice(_("Approve a lower amount"), "decide:lower"),
                Choice(_("Ask for changes"), "decide:changes"),
                Choice(_("Reject"), "decide:reject"),
                Choice(_("Back to the list"), "decide:back"),
            ),
        )

    async def on_detail(self, ctx: Context, answer: Answer) -> str:
        decision = (answer.data or "").removeprefix("decide:")
        if decision == "back":
            return "list"
        if decision == "lower":
            return "amount"
        if decision in ("changes", "reject"):
            ctx.state.data["decision"] = decision
            return "reason"
        application = await self.application(ctx)
        return self.to_confirm(ctx, application, application.total_cents)

    async def ask_amount(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        application = await self.application(ctx)
        return Question(
            _("How much do you approve? Applied for: {amount}.").format(
                amount=ctx.t.format_money(application.total_cents)
            ),
            free_text=True,
            numeric=True,
        )

    async def on_amount(self, ctx: Context, answer: Answer) -> str:
        cents = typed_amount(ctx, answer)
        return self.to_confirm(ctx, await self.application(ctx), cents)

    def to_confirm(self, ctx: Context, application: ApplicationView, cents: int) -> str:
        """An approval the rules allow as things stand goes to the last look; the grant service
        checks again when it is confirmed, under the round's lock."""
        approvable(ctx.t, application, cents)
        ctx.state.data.update(decision="approve", amount_cents=cents)
        return "confirm"

    async def ask_reason(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        if ctx.state.data.get("decision") == "reject":
            text = _("Why is the application rejected? The applicant will read this.")
        else:
            text = _("Which changes are needed? The applicant will read this.")
        return Question(text, free_text=True, limit=DECISION_REASON)

    async def on_reason(self, ctx: Context, answer: Answer) -> str:
        reason = answer.text.strip()
        if ctx.state.data.get("decision") == "reject":
            ctx.state.data["reason"] = reason
            return "confirm"
        return await self.decide(ctx, str(ctx.state.data.pop("decision")), reason=reason)

    async def ask_confirm(self, ctx: Context) -> Question:
        """The last look before what cannot be undone: what will happen, in so many words."""
        _ = ctx.t.gettext
        data = ctx.state.data
        application = await self.application(ctx)
        title = escape(application.title or "")
        name = escape(application.applicant_name or "")
        if data.get("decision") not in ("approve", "reject"):
            raise Invalid(_("That button is no longer valid."))
        if data["decision"] == "approve":
            cents = int(data["amount_cents"])
            text = _("Approve {amount} for “{title}” from {name}? The pot keeps {remaining}.")
            yes = _("Yes, approve")
        else:
            cents = 0
            text = _("Reject “{title}” from {name}? They will read this reason:\n{reason}")
            yes = _("Yes, reject")
        return Question(
            text.format(
                amount=ctx.t.format_money(cents),
                title=title,
                name=name,
                remaining=ctx.t.format_money(application.round.remaining_cents - cents),
                reason=escape(str(data.get("reason", ""))),
            ),
            rows(Choice(yes, "confirm:yes"), Choice(_("No, back"), "confirm:back")),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str:
        data = ctx.state.data
        decision = str(data.pop("decision", ""))
        cents, reason = data.pop("amount_cents", None), data.pop("reason", None)
        if answer.data != "confirm:yes":
            return "detail"  # nothing done: the decision screen again
        return await self.decide(ctx, decision, amount_cents=cents, reason=reason)

    async def decide(
        self, ctx: Context, kind: str, *, amount_cents: int | None = None, reason: str | None = None
    ) -> str:
        _ = ctx.t.gettext
        try:
            decided = await ctx.ports.grants.decide(
                int(ctx.state.data["application_id"]),
                kind=kind,
                amount_cents=amount_cents,
                reason=reason,
            )
        except GrantRuleError as error:
            # Refused as things are now (the pot ran out meanwhile, someone else decided): say
            # why, and show what is left to decide.
            ctx.say(refusal(ctx.t, error))
            return "detail" if error.code in BUDGET_RULES else "list"
        await tell_applicant(ctx, decided)
        done = {
            "approved": _("{reference} is approved with {amount}. The applicant has been told."),
            "rejected": _("{reference} is rejected. The applicant has been told."),
            "changes_requested": _("{reference} went back to the applicant for changes."),
        }
        ctx.say(
            done[decided.status].format(
                reference=decided.reference, amount=ctx.t.format_money(decided.approved_cents or 0)
            )
        )
        return "list"


async def run_review(ctx: Context) -> None:
    await ctx.engine.start_flow(ctx, ReviewApplications.name)
