"""The figures staff publish, and the spreadsheet export of all applications."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Decision, FundingRound, GrantReport, Region
from bot.services.spreadsheet import Cell, Figure, csv_file
from conversations.grants.ports import RegionFigures, RoundFigures
from conversations.people.ports import ERASED

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


def _euros(cents: int | None) -> Figure:
    return Figure("" if cents is None else f"{cents / 100:.2f}".replace(".", ","))


def _day(value: date | datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def _report_columns(report: GrantReport | None) -> list[Cell]:
    if report is None:
        return ["", "", "", "", "", ""]
    return [
        report.status,
        report.volunteers_reached,
        report.newcomers_reached,
        report.summary,
        _euros(sum((report.costs or {}).values())),
        " | ".join(f"{f.name or f.mime_type} ({f.size or 0} B)" for f in report.files),
    ]


async def applications_csv(session: AsyncSession, *, tz: ZoneInfo) -> bytes:
    """One row per cost item (or per application without items), `;`-separated, UTF-8 with
    BOM, so that German spreadsheet programs open it as it is."""
    reports = await reports_by_application(session)
    regions = {r.id: r.name for r in (await session.scalars(select(Region))).all()}
    rounds = {r.id: r.name for r in (await session.scalars(select(FundingRound))).all()}
    header = [
        "Aktenzeichen",
        "Förderrunde",
        "Status",
        "Antragsteller/in",
        "Initiative",
        "Kontakt",
        "Region",
        "Titel",
        "Beschreibung",
        "Themen",
        "Ehrenamtliche (geplant)",
        "Neuzugewanderte (geplant)",
        "Beginn",
        "Ende",
        "Eingereicht",
        "Summe beantragt (EUR)",
        "Bewilligt (EUR)",
        "Entscheidungen",
        "Begründung",
        "Bericht fällig",
        "Bericht Status",
        "Ehrenamtliche erreicht",
        "Neuzugewanderte erreicht",
        "Sachbericht",
        "Ist-Kosten (EUR)",
        "Belege",
        "Kostenart",
        "Kostenposition",
        "Betrag (EUR)",
    ]
    rows: list[list[Cell]] = []
    applications = (
        await session.scalars(
            select(Application).where(Application.status != "draft").order_by(Application.id)
        )
    ).all()
    for application in applications:
        decisions = (
            await session.scalars(
                select(Decision)
                .where(Decision.application_id == application.id)
                .order_by(Decision.at)
            )
        ).all()
        common: list[Cell] = [
            application.reference,
            rounds.get(application.round_id, ""),
            application.status,
            _erased(application.applicant_name),
            _erased(application.organisation),
            _erased(application.contact),
            regions.get(application.region_id or 0, ""),
            application.title,
            application.description,
            ", ".join(application.topics or []),
            application.volunteers_expected,
            application.newcomers_expected,
            _day(application.starts_on, tz),
            _day(application.ends_on, tz),
            _day(application.submitted_at, tz),
            _euros(sum(item.amount_cents for item in application.items)),
            _euros(application.approved_cents),
            " | ".join(f"{_day(d.at, tz)} {d.kind}" for d in decisions),
            application.decision_reason,
            _day(application.report_due_on, tz),
            *_report_columns(reports.get(application.id)),
        ]
        if not application.items:
            rows.append([*common, "", "", ""])
        for item in application.items:
            rows.append([*common, item.category, item.description, _euros(item.amount_cents)])
    return csv_file(header, rows)


def _erased(value: str | None) -> str | None:
    """A funding record whose applicant erased their data says so, in the export's German."""
    return "gelöscht auf Wunsch der Person" if value == ERASED else value
