"""Micro-grant applications: drafts with their cost plans, changes, submission, withdrawal.
Staff decisions are in `decisions`; the rounds and what is left of their pots in
`funding_rounds`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from bot.db.models import Application, CostItem, FundingRound, Region
from bot.services.grants import funding_rounds
from bot.services.grants.decisions import Decisions
from bot.services.grants.records import (
    EDITABLE,
    EDITABLE_FIELDS,
    REQUIRED,
    WITHDRAWN,
    application_view,
    check_budget,
    check_dates,
)
from bot.services.people import audit
from conversations.grants.ports import (
    ApplicationView,
    GrantRuleError,
    RoundView,
)
from conversations.grants.terms import CATEGORIES, TOPICS


class GrantDesk(Decisions):
    """The `Grants` port, bound to one turn's session and the person acting in it."""

    refusal = GrantRuleError

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
