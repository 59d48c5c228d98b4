"""/stats and /export for staff: the programme's figures (with the questions to the office),
and all applications as a file."""

from __future__ import annotations

from html import escape

from conversations.flow import Context, command_choice
from conversations.grants.terms import STATUSES
from conversations.office.ports import QuestionCounts, QuestionFigures
from conversations.spreadsheets import applications_documents


async def run_stats(ctx: Context) -> None:
    _ = ctx.t.gettext
    t = ctx.t
    lines: list[str] = []
    for figures in await ctx.ports.grants.figures():
        lines += [
            f"<b>{escape(figures.name)}</b>",
            _("Pot {pot}: {approved} approved, {remaining} left.").format(
                pot=t.format_money(figures.pot_cents),
                approved=t.format_money(figures.approved_cents),
                remaining=t.format_money(figures.remaining_cents),
            ),
        ]
        for status, label in STATUSES.items():
            if figures.by_status.get(status):
                lines.append(
                    _("{status}: {count}").format(
                        status=_(label), count=t.format_number(figures.by_status[status])
                    )
                )
        approved = figures.by_status.get("approved", 0)
        lines.append(
            t.ngettext(
                "{count} micro-project plans to reach {volunteers} volunteers and {newcomers} "
                "newcomers.",
                "{count} micro-projects plan to reach {volunteers} volunteers and {newcomers} "
                "newcomers.",
                approved,
            ).format(
                count=t.format_number(approved),
                volunteers=t.format_number(figures.volunteers_planned),
                newcomers=t.format_number(figures.newcomers_planned),
            )
        )
        lines.append(
            _("Reports received: {received}, overdue: {overdue}.").format(
                received=t.format_number(figures.reports_received),
                overdue=t.format_number(figures.reports_overdue),
            )
        )
        lines.append(
            _(
                "Reached according to the reports: {volunteers} volunteers and {newcomers} "
                "newcomers."
            ).format(
                volunteers=t.format_number(figures.volunteers_reached),
                newcomers=t.format_number(figures.newcomers_reached),
            )
        )
        for region in figures.regions:
            lines.append(
                t.ngettext(
                    "{region}: {projects} project, {amount}; planned {volunteers} volunteers "
                    "and {newcomers} newcomers, reached {volunteers_reached} and "
                    "{newcomers_reached}",
                    "{region}: {projects} projects, {amount}; planned {volunteers} volunteers "
                    "and {newcomers} newcomers, reached {volunteers_reached} and "
                    "{newcomers_reached}",
                    region.projects,
                ).format(
                    region=escape(region.name or _("no region")),
                    projects=t.format_number(region.projects),
                    amount=t.format_money(region.approved_cents),
                    volunteers=t.format_number(region.volunteers_planned),
                    newcomers=t.format_number(region.newcomers_planned),
                    volunteers_reached=t.format_number(region.volunteers_reached),
                    newcomers_reached=t.format_number(region.newcomers_reached),
                )
            )
        lines.append("")
    attendance = await ctx.ports.meetings.attendance()
    if attendance:
        lines.append(_("<b>Network meetings</b>"))
    for row in attendance:
        lines.append(
            t.ngettext(
                "{region}, {month}: {meetings} meeting, {yes} said yes, {came} came",
                "{region}, {month}: {meetings} meetings, {yes} said yes, {came} came",
                row.meetings,
            ).format(
                region=escape(row.region),
                month=t.format_month(row.month),
                meetings=t.format_number(row.meetings),
                yes=t.format_number(row.said_yes),
                came=t.format_number(row.came),
            )
        )
    lines += _question_lines(ctx, await ctx.ports.lessons.figures())
    ctx.say(
        "\n".join(lines).strip() or _("There are no funding rounds yet."),
        (
            (
                command_choice(_("Export applications"), "export"),
                command_choice(_("Main menu"), "menu"),
            ),
        ),
    )


def _question_lines(ctx: Context, figures: QuestionFigures) -> list[str]:
    """Asked, answered and the median wait for the first answer (wall-clock hours, nights and
    weekends included), in all, per region and per language."""
    if not figures.total.asked:
        return []
    _ = ctx.t.gettext
    lines = ["", _("<b>Questions to the office</b>"), _counts_line(ctx, _("All"), figures.total)]
    lines.append(_("By region:"))
    lines += [
        _counts_line(ctx, escape(counts.key or _("no region")), counts)
        for counts in figures.regions
    ]
    lines.append(_("By language:"))
    for counts in figures.languages:
        name = ctx.t.language_name(counts.key or "")
        lines.append(_counts_line(ctx, name[:1].upper() + name[1:], counts))
    return lines


def _counts_line(ctx: Context, group: str, counts: QuestionCounts) -> str:
    _ = ctx.t.gettext
    if counts.median_hours is None:
        return _("{group}: {asked} asked, none answered yet").format(
            group=group, asked=ctx.t.format_number(counts.asked)
        )
    # Plural by the hours rounded: gettext's plural forms are for whole numbers.
    return ctx.t.ngettext(
        "{group}: {asked} asked, {answered} answered; first answer after {hours} hour (median)",
        "{group}: {asked} asked, {answered} answered; first answer after {hours} hours (median)",
        round(counts.median_hours),
    ).format(
        group=group,
        asked=ctx.t.format_number(counts.asked),
        answered=ctx.t.format_number(counts.answered),
        hours=ctx.t.format_number(counts.median_hours),
    )


async def run_export(ctx: Context) -> None:
    """The workbook for people to read, then the same as CSV for other programs; both in the
    staff member's language. They are made after the turn, as they are sent: the first answer
    says they are coming."""
    _ = ctx.t.gettext
    await ctx.ports.grants.export()
    stem = f"gemeinsam-applications-{ctx.t.local_date(ctx.ports.clock.now()).isoformat()}"
    workbook, table = applications_documents(stem, ctx.t.locale)
    ctx.say(_("The export of all submitted applications is being prepared; it comes in a moment."))
    ctx.say(
        _(
            "All submitted applications with their cost items, decisions and reports, and the "
            "questions to the office by region and by language: one sheet each."
        ),
        made=workbook,
    )
    ctx.say(_("The same as CSV, one row per cost item, for other programs."), made=table)
