"""The figures staff publish, and the spreadsheet export of all applications in the staff
member's language."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Decision, FundingRound, GrantReport, Region
from bot.services.office.figures import question_figures, question_tables
from bot.services.spreadsheet import RIGHT_TO_LEFT, Cell, Money, Table, cell, csv_file, workbook
from conversations.grants.ports import RegionFigures, RoundFigures
from conversations.grants.terms import CATEGORIES, STATUSES, TOPICS
from conversations.markers import N_
from conversations.people.ports import ERASED
from conversations.ports import Translator
from conversations.spreadsheets import Spreadsheet

REPORTED = ("submitted", "accepted")


async def reports_by_application(session: AsyncSession) -> dict[int, GrantReport]:
    rows = await session.scalars(select(GrantReport).where(GrantReport.status.in_(REPORTED)))
    return {report.application_id: report for report in rows.all()}


async def round_figures(session: AsyncSession, *, today: date) -> list[RoundFigures]:
    reports = await reports_by_application(session)
    rounds = (await session.scalars(select(FundingRound).order_by(FundingRound.id))).all()
    regions = {r.id: r.name for r in (await session.scalars(select(Region))).all()}
    figures = []
    for funding_round in rounds:
        applications = (
            await session.scalars(
                select(Application).where(
                    Application.round_id == funding_round.id, Application.status != "draft"
                )
            )
        ).all()
        approved = [a for a in applications if a.status == "approved"]
        by_region: dict[str, list[Application]] = {}
        for application in approved:
            name = regions.get(application.region_id or 0, "")
            by_region.setdefault(name, []).append(application)
        spent = sum(a.approved_cents or 0 for a in approved)

        def reached(items: list[Application], field: str) -> int:
            return sum(getattr(reports[a.id], field) or 0 for a in items if a.id in reports)

        figures.append(
            RoundFigures(
                name=funding_round.name,
                pot_cents=funding_round.pot_cents,
                approved_cents=spent,
                remaining_cents=funding_round.pot_cents - spent,
                by_status=dict(Counter(a.status for a in applications)),
                volunteers_planned=sum(a.volunteers_expected or 0 for a in approved),
                newcomers_planned=sum(a.newcomers_expected or 0 for a in approved),
                regions=[
                    RegionFigures(
                        name=name,
                        projects=len(items),
                        approved_cents=sum(a.approved_cents or 0 for a in items),
                        volunteers_planned=sum(a.volunteers_expected or 0 for a in items),
                        newcomers_planned=sum(a.newcomers_expected or 0 for a in items),
                        volunteers_reached=reached(items, "volunteers_reached"),
                        newcomers_reached=reached(items, "newcomers_reached"),
                    )
                    for name, items in sorted(by_region.items())
                ],
                reports_received=sum(1 for a in approved if a.id in reports),
                reports_overdue=sum(
                    1
                    for a in approved
                    if a.id not in reports and a.report_due_on and a.report_due_on < today
                ),
                volunteers_reached=reached(approved, "volunteers_reached"),
                newcomers_reached=reached(approved, "newcomers_reached"),
            )
        )
    return figures


# The export's words: stable keys in the database, labels in the staff member's language.
APPLICATION_COLUMNS = (
    N_("Reference"),
    N_("Funding round"),
    N_("Status"),
    N_("Applicant"),
    N_("Initiative or organisation"),
    N_("Contact"),
    N_("Region"),
    N_("Title"),
    N_("What will happen and for whom"),
    N_("Topics"),
    N_("Volunteers planned"),
    N_("Newcomers planned"),
    N_("Start"),
    N_("End"),
    N_("Submitted"),
    N_("Planned costs"),
    N_("Approved amount"),
    N_("Decided"),
    N_("Reason for the decision"),
    N_("Report due"),
)
ITEM_COLUMNS = (N_("Kind of cost"), N_("Cost item"), N_("Amount"))
DECISION_COLUMNS = (N_("Decided"), N_("Decision"), N_("Amount"), N_("Reason for the decision"))
REPORT_COLUMNS = (
    N_("Status of the report"),
    N_("Volunteers reached"),
    N_("Newcomers reached"),
    N_("What happened"),
    N_("Actual costs"),
    N_("Receipts"),
)
SHEETS = (N_("Applications"), N_("Cost items"), N_("Decisions"), N_("Reports"))
REPORT_STATUSES = {
    "submitted": N_("submitted, waiting for review"),
    "accepted": N_("accepted"),
}
DECISION_KINDS = {"approve": "approved", "reject": "rejected", "changes": "changes_requested"}


def _label(labels: dict[str, str], key: str | None, t: Translator) -> str | None:
    """A stored key in the reader's words; a key without a label (an old one) as it is."""
    if key is None:
        return None
    return t.gettext(labels[key]) if key in labels else key


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def _erased(value: str | None, t: Translator) -> str | None:
    """A funding record whose applicant erased their data says so, in the reader's words."""
    return t.gettext("deleted at the applicant's request") if value == ERASED else value


def _receipts(report: GrantReport) -> str:
    return " | ".join(f"{f.name or f.mime_type} ({f.size or 0} B)" for f in report.files)


async def applications_spreadsheet(
    session: AsyncSession, *, tz: ZoneInfo, t: Translator
) -> Spreadsheet:
    """Every submitted application in the reader's language: a workbook with a sheet each for
    the applications, cost items, decisions and reports (and two of the questions to the office
    by region and by language), and the CSV of before (one row per cost
    item, `;`-separated, UTF-8 with BOM) for other programs."""
    _ = t.gettext
    reports = await reports_by_application(session)
    regions = {r.id: r.name for r in (await session.scalars(select(Region))).all()}
    rounds = {r.id: r.name for r in (await session.scalars(select(FundingRound))).all()}
    applications = (
        await session.scalars(
            select(Application).where(Application.status != "draft").order_by(Application.id)
        )
    ).all()
    sheets: tuple[list[list[Cell]], ...] = ([], [], [], [])
    flat: list[list[Cell]] = []
    for application in applications:
        decisions = (
            await session.scalars(
                select(Decision)
                .where(Decision.application_id == application.id)
                .order_by(Decision.at)
            )
        ).all()
        report = reports.get(application.id)
        row: list[Cell] = [
            application.reference,
            rounds.get(application.round_id, ""),
            _label(STATUSES, application.status, t),
            _erased(application.applicant_name, t),
            _erased(application.organisation, t),
            _erased(application.contact, t),
            regions.get(application.region_id or 0, ""),
            application.title,
            application.description,
            ", ".join(_label(TOPICS, key, t) or "" for key in application.topics or []),
            application.volunteers_expected,
            application.newcomers_expected,
            application.starts_on,
            application.ends_on,
            _local(application.submitted_at, tz),
            Money(sum(item.amount_cents for item in application.items)),
            Money(application.approved_cents) if application.approved_cents is not None else None,
            _local(application.decided_at, tz),
            application.decision_reason,
            application.report_due_on,
        ]
        sheets[0].append(row)
        which = [application.reference, application.title]
        items = [
            [_label(CATEGORIES, item.category, t), item.description, Money(item.amount_cents)]
            for item in application.items
        ]
        sheets[1].extend([*which, *item] for item in items)
        decided = [
            [
                _local(d.at, tz),
                _label(STATUSES, DECISION_KINDS.get(d.kind, d.kind), t),
                Money(d.amount_cents) if d.amount_cents is not None else None,
                d.reason,
            ]
            for d in decisions
        ]
        sheets[2].extend([*which, *decision] for decision in decided)
        reported: list[Cell] = (
            [
                _label(REPORT_STATUSES, report.status, t),
                report.volunteers_reached,
                report.newcomers_reached,
                report.summary,
                Money(sum((report.costs or {}).values())),
                _receipts(report),
            ]
            if report is not None
            else [None] * len(REPORT_COLUMNS)
        )
        if report is not None:
            sheets[3].append([*which, *reported])
        history = " | ".join(f"{cell(when)} {kind}" for when, kind, _amount, _reason in decided)
        for item in items or [[None] * len(ITEM_COLUMNS)]:
            flat.append([*row, history, *reported, *item])
    which_columns = [_("Reference"), _("Title")]
    tables = [
        Table(_(SHEETS[0]), [_(c) for c in APPLICATION_COLUMNS], sheets[0]),
        Table(_(SHEETS[1]), [*which_columns, *(_(c) for c in ITEM_COLUMNS)], sheets[1]),
        Table(_(SHEETS[2]), [*which_columns, *(_(c) for c in DECISION_COLUMNS)], sheets[2]),
        Table(_(SHEETS[3]), [*which_columns, *(_(c) for c in REPORT_COLUMNS)], sheets[3]),
        # The questions to the office: what the programme's people need, and the library lacks.
        *question_tables(await question_figures(session), t),
    ]
    flat_header = [
        *(_(c) for c in APPLICATION_COLUMNS),
        _("Decisions"),
        *(_(c) for c in REPORT_COLUMNS),
        *(_(c) for c in ITEM_COLUMNS),
    ]
    return Spreadsheet(
        workbook=workbook(tables, right_to_left=t.locale in RIGHT_TO_LEFT),
        csv=csv_file(flat_header, flat),
    )
