"""/report: after an approved project, whom it reached, what happened, what it cost, receipts."""

from __future__ import annotations

from datetime import date
from html import escape

from conversations.answers import typed_amount, typed_count
from conversations.flow import Answer, Context, Flow, Invalid, Question, command_choice
from conversations.grants.ports import GrantRuleError, ReportView
from conversations.grants.receipt_files import MAX_RECEIPT_MB, checked_receipt
from conversations.grants.summary import refusal
from conversations.grants.terms import CATEGORIES
from conversations.limits import REPORT_SUMMARY
from conversations.messages import Choice, Reply, rows
from conversations.ports import Translator


def describe_report(t: Translator, report: ReportView) -> str:
    _ = t.gettext
    application = report.application
    lines = [
        _("<b>Report on {reference}: {title}</b>").format(
            reference=application.reference, title=escape(application.title or "")
        ),
        _("Volunteers who took part: {count}").format(
            count=t.format_number(report.volunteers_reached or 0)
        ),
        _("Newcomers reached: {count}").format(
            count=t.format_number(report.newcomers_reached or 0)
        ),
        _("What happened: {summary}").format(summary=escape(report.summary or "")),
        _("Actual costs:"),
        *[
            f"• {_(CATEGORIES[key])}: {t.format_money(cents)}"
            for key, cents in report.costs.items()
        ],
        _("Total: {amount} (approved: {approved})").format(
            amount=t.format_money(report.total_cents),
            approved=t.format_money(application.approved_cents or 0),
        ),
        t.ngettext("{count} receipt", "{count} receipts", len(report.receipts)).format(
            count=t.format_number(len(report.receipts))
        ),
    ]
    if report.staff_note:
        lines.append(
            _("Note from the district office: {reason}").format(reason=escape(report.staff_note))
        )
    return "\n".join(lines)


class ReportOnProject(Flow):
    name = "report"
    first_step = "choose"
    wizard = True

    def application_id(self, ctx: Context) -> int:
        return int(ctx.state.data["application_id"])

    async def report(self, ctx: Context) -> ReportView:
        report = await ctx.ports.reports.report_of(self.application_id(ctx))
        if report is None:
            report = await ctx.ports.reports.update_report(self.application_id(ctx))
        return report

    async def ask_choose(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        projects = await ctx.ports.reports.reportable_of(ctx.user.id)
        return Question(
            _("Which project do you report on?"),
            rows(
                *(
                    Choice(f"{a.reference} · {(a.title or '')[:40]}", f"project:{a.id}")
                    for a in projects
                )
            ),
        )

    async def on_choose(self, ctx: Context, answer: Answer) -> str:
        ctx.state.data["application_id"] = int((answer.data or "").removeprefix("project:"))
        return "volunteers"

    async def ask_volunteers(self, ctx: Context) -> Question:
        report = await self.report(ctx)
        text = ctx.t.gettext("<b>Report on {reference}</b>\nHow many volunteers took part?")
        return Question(
            text.format(reference=report.application.reference), free_text=True, numeric=True
        )

    async def on_volunteers(self, ctx: Context, answer: Answer) -> str:
        await ctx.ports.reports.update_report(
            self.application_id(ctx), volunteers_reached=typed_count(ctx, answer)
        )
        return "newcomers"

    async def ask_newcomers(self, ctx: Context) -> Question:
        return Question(
            ctx.t.gettext("How many newcomers did the project reach?"), free_text=True, numeric=True
        )

    async def on_newcomers(self, ctx: Context, answer: Answer) -> str:
        await ctx.ports.reports.update_report(
            self.application_id(ctx), newcomers_reached=typed_count(ctx, answer)
        )
        return "summary"

    async def ask_summary(self, ctx: Context) -> Question:
        return Question(
            ctx.t.gettext("What happened? Please describe it in a few sentences."),
            free_text=True,
            limit=REPORT_SUMMARY,
        )

    async def on_summary(self, ctx: Context, answer: Answer) -> str:
        await ctx.ports.reports.update_report(self.application_id(ctx), summary=answer.text.strip())
        ctx.state.data["category"] = 0
        return "costs"

    async def categories(self, ctx: Context) -> list[str]:
        report = await self.report(ctx)
        planned = [item.category for item in report.application.items]
        return list(dict.fromkeys(planned))

    async def ask_costs(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        report = await self.report(ctx)
        category = (await self.categories(ctx))[int(ctx.state.data["category"])]
        planned = sum(i.amount_cents for i in report.application.items if i.category == category)
        return Question(
            _("How much did you actually spend on “{category}”? Planned: {planned}.").format(
                category=_(CATEGORIES[category]), planned=ctx.t.format_money(planned)
            ),
            free_text=True,
            numeric=True,
        )

    async def on_costs(self, ctx: Context, answer: Answer) -> str:
        _ = ctx.t.gettext
        cents = typed_amount(ctx, answer)
        categories = await self.categories(ctx)
        index = int(ctx.state.data["category"])
        report = await self.report(ctx)
        await ctx.ports.reports.update_report(
            self.application_id(ctx), costs={**report.costs, categories[index]: cents}
        )
        if index + 1 < len(categories):
            ctx.state.data["category"] = index + 1
            return "costs"
        return "receipts"

    async def ask_receipts(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        report = await self.report(ctx)
        finish = _("All receipts are sent") if report.receipts else _("Finish without receipts")
        return Question(
            _(
                "Please send photos or files of your receipts, one or several: images (JPEG, "
                "PNG, HEIC or WebP) or PDF files of up to {limit} MB each."
            ).format(limit=ctx.t.format_number(MAX_RECEIPT_MB))
            + " "
            + _("You may also hand in receipts on paper at the district office."),
            rows(Choice(finish, "receipts:done")),
            free_text=True,  # to answer typed words with a hint rather than a refusal
            accepts_files=True,
        )

    async def on_receipts(self, ctx: Context, answer: Answer) -> str:
        _ = ctx.t.gettext
        if answer.data == "receipts:done":
            return "confirm"
        if answer.attachment is None:
            raise Invalid(
                _(
                    "I can only take photos or files here. When you are done, or if you hand in "
                    "your receipts on paper, tap the button below."
                )
            )
        receipt = await checked_receipt(ctx, answer.attachment)
        try:
            report = await ctx.ports.reports.add_receipt(
                self.application_id(ctx), channel=ctx.inbound.channel, attachment=receipt
            )
        except GrantRuleError as error:
            raise Invalid(refusal(ctx.t, error)) from None
        ctx.say(
            ctx.t.ngettext(
                "{count} receipt received.", "{count} receipts received.", len(report.receipts)
            ).format(count=ctx.t.format_number(len(report.receipts)))
        )
        return "receipts"

    async def ask_confirm(self, ctx: Context) -> Question:
        _ = ctx.t.gettext
        report = await self.report(ctx)
        return Question(
            describe_report(ctx.t, report),
            rows(
                Choice(_("Submit the report"), "report:submit"),
                Choice(_("Start the report again"), "report:again"),
            ),
        )

    async def on_confirm(self, ctx: Context, answer: Answer) -> str | None:
        _ = ctx.t.gettext
        if answer.data == "report:again":
            return "volunteers"
        try:
            report = await ctx.ports.reports.submit_report(self.application_id(ctx))
        except GrantRuleError as error:
            raise Invalid(refusal(ctx.t, error)) from None
        ctx.say(
            _("Thank you! Your report on {reference} has been sent to the district office.").format(
                reference=report.application.reference
            )
        )

        def render(t: Translator) -> Reply:
            return Reply(
                t.gettext("New report on {reference}: “{title}”.").format(
                    reference=report.application.reference,
                    title=escape(report.application.title or ""),
                ),
                ((command_choice(t.gettext("Review applications"), "review"),),),
            )

        await ctx.ports.notifications.to_staff(
            f"report:{report.application.id}:submitted:{report.submissions}", render
        )
        await ctx.engine.show_menu(ctx)
        return None


async def run_report(ctx: Context) -> None:
    _ = ctx.t.gettext
    projects = await ctx.ports.reports.reportable_of(ctx.user.id)
    if not projects:
        ctx.say(_("You have no approved project to report on."))
        await ctx.engine.show_menu(ctx)
    elif len(projects) == 1:
        await ctx.engine.start_flow(
            ctx, ReportOnProject.name, {"application_id": projects[0].id}, "volunteers"
        )
    else:
        await ctx.engine.start_flow(ctx, ReportOnProject.name)


REMINDERS = ("14d", "due", "overdue1", "overdue2", "overdue3")


def reminder(t: Translator, *, kind: str, reference: str, title: str, due: date) -> Reply:
    """The reminder of a report that falls due: 14 days before, on the day, weekly after."""
    _ = t.gettext
    texts = {
        "14d": _(
            "Reminder: your report on {reference} “{title}” is due on {due}. You can "
            "send it with /report."
        ),
        "due": _("Your report on {reference} “{title}” is due today. Please send it with /report."),
    }
    text = texts.get(
        kind,
        _(
            "Your report on {reference} “{title}” was due on {due}. Please "
            "send it with /report as soon as you can."
        ),
    )
    return Reply(
        text.format(reference=reference, title=escape(title), due=t.format_date(due)),
        ((command_choice(_("Report on a project"), "report"),),),
    )


def overdue_notice(t: Translator, *, reference: str, title: str, due: date) -> Reply:
    return Reply(
        t.gettext("The report on {reference} “{title}” is overdue since {due}.").format(
            reference=reference, title=escape(title), due=t.format_date(due)
        )
    )
