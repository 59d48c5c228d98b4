"""Funding rounds: the pot and the cap each round sets, the round open today, and what is left.

What is left of a pot is what it holds minus every approval booked against it; approvals lock the
round's row (`locked_round`) before they check it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, FundingRound
from conversations.grants.ports import RoundView
from conversations.grants.terms import CATEGORIES

DEFAULT_POT_CENTS = 1_000_000
DEFAULT_CAP_CENTS = 100_000


async def create_round(
    session: AsyncSession,
    *,
    name: str,
    pot_cents: int,
    cap_cents: int,
    opens_on: date,
    closes_on: date,
    now: datetime,
    report_weeks: int = 8,
) -> FundingRound:
    if pot_cents <= 0 or cap_cents <= 0 or cap_cents > pot_cents:
        raise ValueError("the pot and the cap must be positive, the cap not above the pot")
    if closes_on < opens_on:
        raise ValueError("a round cannot close before it opens")
    funding_round = FundingRound(
        name=name,
        pot_cents=pot_cents,
        cap_cents=cap_cents,
        opens_on=opens_on,
        closes_on=closes_on,
        categories=list(CATEGORIES),
        report_weeks=report_weeks,
        created_at=now,
    )
    session.add(funding_round)
    await session.flush()
    return funding_round


async def seed_default_round(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> bool:
    """The first programme: 10,000 EUR, at most 1,000 EUR an application, this calendar year."""
    if await session.scalar(select(func.count()).select_from(FundingRound)):
        return False
    year = now.astimezone(tz).year
    await create_round(
        session,
        name=f"Mikroprojekte {year}",
        pot_cents=DEFAULT_POT_CENTS,
        cap_cents=DEFAULT_CAP_CENTS,
        opens_on=date(year, 1, 1),
        closes_on=date(year, 12, 31),
        now=now,
    )
    return True


def is_open(funding_round: FundingRound, *, today: date) -> bool:
    return funding_round.closed_at is None and (
        funding_round.opens_on <= today <= funding_round.closes_on
    )


async def open_round(session: AsyncSession, *, today: date) -> FundingRound | None:
    """The round applications go into today; the oldest, should two be open at once."""
    return await session.scalar(
        select(FundingRound)
        .where(
            FundingRound.closed_at.is_(None),
            FundingRound.opens_on <= today,
            FundingRound.closes_on >= today,
        )
        .order_by(FundingRound.id)
    )


async def locked_round(session: AsyncSession, round_id: int) -> FundingRound:
    funding_round = await session.scalar(
        select(FundingRound).where(FundingRound.id == round_id).with_for_update()
    )
    assert funding_round is not None
    return funding_round


async def approved_total(session: AsyncSession, round_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(Application.approved_cents), 0)).where(
            Application.round_id == round_id, Application.status == "approved"
        )
    )
    return int(total or 0)


async def remaining_budget(session: AsyncSession, funding_round: FundingRound) -> int:
    return funding_round.pot_cents - await approved_total(session, funding_round.id)


async def round_view(session: AsyncSession, funding_round: FundingRound) -> RoundView:
    return RoundView(
        id=funding_round.id,
        name=funding_round.name,
        pot_cents=funding_round.pot_cents,
        cap_cents=funding_round.cap_cents,
        opens_on=funding_round.opens_on,
        closes_on=funding_round.closes_on,
        categories=list(funding_round.categories),
        remaining_cents=await remaining_budget(session, funding_round),
    )
