"""Micro-grants: applications with their cost plans, the budget rules, and staff decisions.

Approvals are booked against the pot in the transaction that checks it, with the round's row
locked, so that two staff members approving at once can never spend more than the pot. The rounds
themselves, and what is left of their pots, are in `funding_rounds`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Application, CostItem, Decision, FundingRound, Region
from bot.services.desk import Desk
from bot.services.grants import funding_rounds
from bot.services.grants.figures import applications_csv, round_figures
from bot.services.people import audit
from conversations.grants.ports import (
    ApplicationView,
    CostItemView,
    GrantRuleError,
    RoundFigures,
    RoundView,
)
from conversations.grants.terms import CATEGORIES, TOPICS

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


class GrantDesk(Desk):
    """The `Grants` port, bound to one turn's session and the person acting in it."""

    refusal = GrantRuleError

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    async def open_round(self) -> RoundView | None:
        funding_round = await funding_rounds.open_round(self.session, today=self.today)
        if funding_round is None:
            return None
        return await funding_rounds.round_view(self.session, funding_round)

    async def _own(self, application_id: int, *, editable: bool = True) -> Application:
        application = await self.session.get(Application, application_id)
        if application is None or application.user_id != self.actor_user_id:
            raise GrantRuleError("not_found")
        if editable and application.status not in EDITABLE:
            raise GrantRuleError("not_editable")
        return application

    async def editable_of(self, user_id: int) -> ApplicationView | None:
        application = await self.session.scalar(
            select(Application)
            .where(Application.user_id == user_id, Application.status.in_(EDITABLE))
            .order_by(Application.updated_at.desc())
        )
        return await application_view(self.session, application) if application else None

    async def start_draft(self, user_id: int, round_id: int) -> ApplicationView:
        assert user_id == self.actor_user_id
        application = Application(
            items=[],
            round_id=round_id,
            user_id=user_id,
            status="draft",
            topics=[],
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(application)
        await self.session.flush()
        return await application_view(self.session, application)

    async def get(self, application_id: int) -> ApplicationView | None:
        application = await self.session.get(Application, application_id)
        if application is None:
            return None
        if application.user_id != self.actor_user_id and not self.actor_is_staff:
            return None
        return await application_view(self.session, application)

    async def update(self, application_id: int, **fields: Any) -> None:
        unknown = fields.keys() - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        application = await self._own(application_id)
        if "round_id" in fields:
            round_id = fields.pop("round_id")
            moved_to = await self._round_to_submit_in(application)
            if moved_to.id != round_id:
                raise ValueError(f"round {round_id} is not the round open now")
        if "region_key" in fields:
            key = fields.pop("region_key")
            application.region_id = (
                await self.session.scalar(select(Region.id).where(Region.key == key))
                if key
                else None
            )
        if "topics" in fields and not set(fields["topics"]) <= TOPICS.keys():
            raise ValueError(f"unknown topics {fields['topics']}")
        for name, value in fields.items():
            setattr(application, name, value)
        application.updated_at = self.now

    async def add_item(
        self, application_id: int, *, category: str, description: str, amount_cents: int
    ) -> ApplicationView:
        application = await self._own(application_id)
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r}")
        if amount_cents <= 0:
            raise GrantRuleError("item_zero")
        application.items.append(
            CostItem(category=category, description=description, amount_cents=amount_cents)
        )
        application.updated_at = self.now
        await self.session.flush()
        return await application_view(self.session, application)

    async def remove_item(self, application_id: int, item_id: int) -> ApplicationView:
        application = await self._own(application_id)
        application.items[:] = [item for item in application.items if item.id != item_id]
        application.updated_at = self.now
        await self.session.flush()
        return await application_view(self.session, application)

    async def discard(self, application_id: int) -> None:
        """Withdraw a draft or an application sent back for changes. A draft that was never sent
        is deleted; one that was sent keeps its reference and history, as withdrawn."""
        application = await self._own(application_id)
        if application.reference is None:
            await self.session.delete(application)
            return
        application.status = WITHDRAWN
        application.updated_at = self.now
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="application.withdraw",
            subject=application.reference,
            at=self.now,
        )
        await self.session.flush()

    async def submit(self, application_id: int) -> ApplicationView:
        application = await self._own(application_id)
        missing = [name for name in REQUIRED if getattr(application, name) is None]
        if missing or not application.topics or not application.items:
            raise GrantRuleError("incomplete")
        funding_round = await self._round_to_submit_in(application)
        view = await application_view(self.session, application)
        assert application.starts_on is not None
        check_dates(
            starts_on=application.starts_on,
            ends_on=application.ends_on,
            today=self.today,
            funding_round=view.round,
        )
        check_budget(
            total_cents=view.total_cents,
            cap_cents=funding_round.cap_cents,
            remaining_cents=view.round.remaining_cents,
        )
        if application.reference is None:
            application.reference = await self._next_reference()
        application.status = "submitted"
        application.submitted_at = self.now
        application.updated_at = self.now
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="application.submit",
            subject=application.reference,
            at=self.now,
            details={"total_cents": view.total_cents},
        )
        await self.session.flush()
        return await application_view(self.session, application)

    async def _round_to_submit_in(self, application: Application) -> FundingRound:
        """The application's own round while it is open; once it has closed, the round open now,
        which the application moves into (its dates, cap and pot are checked at submission)."""
        funding_round = await funding_rounds.locked_round(self.session, application.round_id)
        if funding_rounds.is_open(funding_round, today=self.today):
            return funding_round
        current = await funding_rounds.open_round(self.session, today=self.today)
        if current is None:
            raise GrantRuleError("round_closed")
        application.round_id = current.id
        application.updated_at = self.now
        return await funding_rounds.locked_round(self.session, current.id)

    async def _next_reference(self) -> str:
        year = self.today.year
        prefix = f"MP-{year}-"
        last = await self.session.scalar(
            select(func.max(Application.reference)).where(Application.reference.like(prefix + "%"))
        )
        number = int(last.removeprefix(prefix)) + 1 if last else 1
        return f"{prefix}{number:04d}"

    async def of_user(self, user_id: int) -> Sequence[ApplicationView]:
        rows = await self.session.scalars(
            select(Application).where(Application.user_id == user_id).order_by(Application.id)
        )
        return [await application_view(self.session, row) for row in rows.all()]

    async def awaiting_decision(self) -> Sequence[ApplicationView]:
        self._staff_only()
        rows = await self.session.scalars(
            select(Application)
            .where(Application.status.in_(AWAITING))
            .order_by(Application.submitted_at, Application.id)
        )
        return [await application_view(self.session, row) for row in rows.all()]

    async def decide(
        self,
        application_id: int,
        *,
        kind: str,
        amount_cents: int | None = None,
        reason: str | None = None,
    ) -> ApplicationView:
        """A staff decision; an approval is booked against the pot under the round's lock."""
        self._staff_only()
        application = await self.session.get(Application, application_id)
        if application is None:
            raise GrantRuleError("not_found")
        funding_round = await funding_rounds.locked_round(self.session, application.round_id)
        await self.session.refresh(application, ["status"], with_for_update=True)
        if application.status not in AWAITING:
            raise GrantRuleError("already_decided")
        if kind == "approve":
            requested = sum(item.amount_cents for item in application.items)
            amount = requested if amount_cents is None else amount_cents
            if amount <= 0:
                raise GrantRuleError("total_zero")
            if amount > requested:
                raise GrantRuleError(
                    "over_request", over_by=amount - requested, requested=requested
                )
            remaining = await funding_rounds.remaining_budget(self.session, funding_round)
            check_budget(
                total_cents=amount, cap_cents=funding_round.cap_cents, remaining_cents=remaining
            )
            application.approved_cents = amount
            if application.ends_on is not None:
                application.report_due_on = application.ends_on + timedelta(
                    weeks=funding_round.report_weeks
                )
        elif kind not in DECISIONS:
            raise ValueError(f"unknown decision {kind!r}")
        application.status = DECISIONS[kind]
        application.decision_reason = reason
        application.decided_at = self.now
        application.updated_at = self.now
        self.session.add(
            Decision(
                application_id=application.id,
                staff_user_id=self.actor_user_id,
                kind=kind,
                amount_cents=application.approved_cents if kind == "approve" else None,
                reason=reason,
                at=self.now,
            )
        )
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action=f"application.{kind}",
            subject=application.reference,
            at=self.now,
            details={"amount_cents": application.approved_cents, "reason": reason},
        )
        await self.session.flush()
        return await application_view(self.session, application)

    async def figures(self) -> Sequence[RoundFigures]:
        self._staff_only()
        return await round_figures(self.session, today=self.today)

    async def export(self) -> bytes:
        self._staff_only()
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="applications.export",
            at=self.now,
        )
        return await applications_csv(self.session, tz=self.tz)
