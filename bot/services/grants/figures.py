"""The figures staff publish (/stats): per funding round, counted by the database in three
SELECTs, however many applications there are."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Executable, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, FundingRound, GrantReport, Region
from conversations.grants.ports import RegionFigures, RoundFigures

REPORTED = ("submitted", "accepted")


async def round_figures(session: AsyncSession, *, today: date) -> list[RoundFigures]:
    rounds = (
        await session.execute(
            select(FundingRound.id, FundingRound.name, FundingRound.pot_cents).order_by(
                FundingRound.id
            )
        )
    ).all()
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for round_id, status, count in await session.execute(
        select(Application.round_id, Application.status, func.count())
        .where(Application.status != "draft")
        .group_by(Application.round_id, Application.status)
    ):
        by_status[round_id][status] = count
    regions: dict[int, list[RegionFigures]] = defaultdict(list)
    received: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for round_id, name, *sums, reports, late in await session.execute(_approved(today)):
        # Sums come as decimals from PostgreSQL.
        cents, volunteers, newcomers, volunteers_reached, newcomers_reached, projects = map(
            int, sums
        )
        regions[round_id].append(
            RegionFigures(
                name=name or "",
                projects=projects,
                approved_cents=cents,
                volunteers_planned=volunteers,
                newcomers_planned=newcomers,
                volunteers_reached=volunteers_reached,
                newcomers_reached=newcomers_reached,
            )
        )
        received[round_id] += reports
        overdue[round_id] += late
    figures = []
    for round_id, name, pot_cents in rounds:
        parts = sorted(regions[round_id], key=lambda region: region.name)
        spent = sum(region.approved_cents for region in parts)
        figures.append(
            RoundFigures(
                name=name,
                pot_cents=pot_cents,
                approved_cents=spent,
                remaining_cents=pot_cents - spent,
                by_status=by_status[round_id],
                volunteers_planned=sum(region.volunteers_planned for region in parts),
                newcomers_planned=sum(region.newcomers_planned for region in parts),
                regions=parts,
                reports_received=received[round_id],
                reports_overdue=overdue[round_id],
                volunteers_reached=sum(region.volunteers_reached for region in parts),
                newcomers_reached=sum(region.newcomers_reached for region in parts),
            )
        )
    return figures


def _approved(today: date) -> Executable:
    """The approved applications per round and region: sums, the reports received and those
    overdue (no report, the day it was due passed)."""
    report = GrantReport.id
    return (
        select(
            Application.round_id,
            Region.name,
            func.coalesce(func.sum(Application.approved_cents), 0),
            func.coalesce(func.sum(Application.volunteers_expected), 0),
            func.coalesce(func.sum(Application.newcomers_expected), 0),
            func.coalesce(func.sum(GrantReport.volunteers_reached), 0),
            func.coalesce(func.sum(GrantReport.newcomers_reached), 0),
            func.count(),
            func.count(report),
            func.count(case((and_(report.is_(None), Application.report_due_on < today), 1))),
        )
        .outerjoin(Region, Region.id == Application.region_id)
        .outerjoin(
            GrantReport,
            and_(GrantReport.application_id == Application.id, GrantReport.status.in_(REPORTED)),
        )
        .where(Application.status == "approved")
        .group_by(Application.round_id, Region.name)
    )
