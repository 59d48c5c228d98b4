"""An application as the flows see it, its states, and the rules every step checks: the cap,
what is left of the pot, dates inside the round."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, Decision, FundingRound, Region
from bot.services.grants import funding_rounds
from conversations.grants.ports import (
    ApplicationView,
    CostItemView,
    GrantRuleError,
    RoundView,
)

EDITABLE = ("draft", "changes_requested")
AWAITING = ("submitted",)
WITHDRAWN = "withdrawn"  # by the applicant, once sent: the reference and the decisions stay
DECISIONS = {"approve": "approved", "reject": "rejected", "changes": "changes_requested"}
EDITABLE_FIELDS = {
    "applicant_name",
    "organisation",
    "contact",
    "region_key",
    "title",
    "description",
    "topics",
    "volunteers_expected",
    "newcomers_expected",
    "starts_on",
    "ends_on",
    "confirmed_at",
    "round_id",  # only into the round open now, once the application's own round has closed
}
# Answers an application needs before it is submitted. The organisation is optional, but asked:
# "" is the answer "as a private person", None that the question was never put.
REQUIRED = (
    "applicant_name",
    "organisation",
    "contact",
    "region_id",
    "title",
    "description",
    "volunteers_expected",
    "newcomers_expected",
    "starts_on",
    "ends_on",
    "confirmed_at",
)


async def application_view(session: AsyncSession, application: Application) -> ApplicationView:
    funding_round = await session.get_one(FundingRound, application.round_id)
    region = await session.get(Region, application.region_id) if application.region_id else None
    return ApplicationView(
        id=application.id,
        round=await funding_rounds.round_view(session, funding_round),
        user_id=application.user_id,
        reference=application.reference,
        status=application.status,
        applicant_name=application.applicant_name,
        organisation=application.organisation,
        contact=application.contact,
        region_key=region.key if region else None,
        region_name=region.name if region else None,
        title=application.title,
        description=application.description,
        topics=list(application.topics or []),
        volunteers_expected=application.volunteers_expected,
        newcomers_expected=application.newcomers_expected,
        starts_on=application.starts_on,
        ends_on=application.ends_on,
        items=[
            CostItemView(item.id, item.category, item.description, item.amount_cents)
            for item in application.items
        ],
        submitted_at=application.submitted_at,
        approved_cents=application.approved_cents,
        decision_reason=application.decision_reason,
        report_due_on=application.report_due_on,
        decisions=await session.scalar(
            select(func.count())
            .select_from(Decision)
            .where(Decision.application_id == application.id)
        )
        or 0,
    )


def check_budget(*, total_cents: int, cap_cents: int, remaining_cents: int) -> None:
    """The cost plan's rules: above zero, within the cap, within what is left of the pot."""
    if total_cents <= 0:
        raise GrantRuleError("total_zero")
    if total_cents > cap_cents:
        raise GrantRuleError("over_cap", over_by=total_cents - cap_cents, cap=cap_cents)
    if total_cents > remaining_cents:
        raise GrantRuleError(
            "over_pot", over_by=total_cents - remaining_cents, remaining=remaining_cents
        )


def check_dates(
    *, starts_on: date, ends_on: date | None, today: date, funding_round: RoundView
) -> None:
    if starts_on < today:
        raise GrantRuleError("in_the_past")
    if ends_on is not None and ends_on < starts_on:
        raise GrantRuleError("end_before_start")
    last = ends_on or starts_on
    if starts_on < funding_round.opens_on or last > funding_round.closes_on:
        raise GrantRuleError("outside_round")
