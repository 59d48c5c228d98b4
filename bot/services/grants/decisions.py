"""Staff decisions on applications, and the programme's figures and export.

Approvals are booked against the pot in the transaction that checks it, with the round's row
locked, so that two staff members approving at once can never spend more than the pot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select

from bot.db.models import Application, Decision
from bot.services.desk import Desk
from bot.services.grants import funding_rounds
from bot.services.grants.figures import round_figures
from bot.services.grants.records import AWAITING, DECISIONS, application_view, check_budget
from bot.services.people import audit
from conversations.grants.ports import (
    ApplicationView,
    GrantRuleError,
    RoundFigures,
)


class Decisions(Desk):
    """The staff part of the `Grants` port."""

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

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
        """A staff decision on someone else's application; an approval is booked against the pot
        under the round's lock."""
        self._staff_only()
        application = await self.session.get(Application, application_id)
        if application is None:
            raise GrantRuleError("not_found")
        if application.user_id == self.actor_user_id:
            # Nobody decides on their own money, administrators neither: another member of staff
            # or an administrator must, whatever the buttons offered.
            raise GrantRuleError("own_application")
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

    async def export(self) -> None:
        """The export is recorded; its files are made when they are sent
        (`bot/services/grants/export.py`), after the turn."""
        self._staff_only()
        audit.record(
            self.session,
            actor=f"user:{self.actor_user_id}",
            action="applications.export",
            at=self.now,
        )
