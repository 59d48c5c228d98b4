"""What the grant flows ask of `bot/services/grants/`: applications, decisions, reports, figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from conversations.messages import Attachment


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    pot_cents: int
    cap_cents: int
    opens_on: date
    closes_on: date
    categories: Sequence[str]
    remaining_cents: int


@dataclass(frozen=True)
class CostItemView:
    id: int
    category: str
    description: str
    amount_cents: int


@dataclass(frozen=True)
class ApplicationView:
    id: int
    round: RoundView
    user_id: int | None
    reference: str | None
    status: str
    applicant_name: str | None
    organisation: str | None
    contact: str | None
    region_key: str | None
    region_name: str | None
    title: str | None
    description: str | None
    topics: Sequence[str]
    volunteers_expected: int | None
    newcomers_expected: int | None
    starts_on: date | None
    ends_on: date | None
    items: Sequence[CostItemView]
    submitted_at: datetime | None
    approved_cents: int | None
    decision_reason: str | None
    decisions: int = 0
    report_due_on: date | None = None

    @property
    def total_cents(self) -> int:
        return sum(item.amount_cents for item in self.items)


@dataclass(frozen=True)
class ReceiptView:
    name: str | None
    mime_type: str | None
    size: int | None


@dataclass(frozen=True)
class ReportView:
    application: ApplicationView
    status: str
    volunteers_reached: int | None
    newcomers_reached: int | None
    summary: str | None
    costs: dict[str, int]
    receipts: Sequence[ReceiptView]
    submissions: int
    staff_note: str | None

    @property
    def total_cents(self) -> int:
        return sum(self.costs.values())


@dataclass(frozen=True)
class RegionFigures:
    name: str
    projects: int
    approved_cents: int
    volunteers_planned: int
    newcomers_planned: int
    volunteers_reached: int = 0
    newcomers_reached: int = 0


@dataclass(frozen=True)
class RoundFigures:
    name: str
    pot_cents: int
    approved_cents: int
    remaining_cents: int
    by_status: dict[str, int]
    volunteers_planned: int
    newcomers_planned: int
    regions: Sequence[RegionFigures]
    reports_received: int = 0
    reports_overdue: int = 0
    volunteers_reached: int = 0
    newcomers_reached: int = 0


class GrantRuleError(Exception):
    """A grant rule refused the action; `code` says which, `params` carry the numbers."""

    def __init__(self, code: str, **params: int) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class Grants(Protocol):
    async def open_round(self) -> RoundView | None: ...

    async def editable_of(self, user_id: int) -> ApplicationView | None: ...

    async def start_draft(self, user_id: int, round_id: int) -> ApplicationView: ...

    async def get(self, application_id: int) -> ApplicationView | None: ...

    async def update(self, application_id: int, **fields: object) -> None: ...

    async def add_item(
        self, application_id: int, *, category: str, description: str, amount_cents: int
    ) -> ApplicationView: ...

    async def remove_item(self, application_id: int, item_id: int) -> ApplicationView: ...

    async def discard(self, application_id: int) -> None: ...

    async def submit(self, application_id: int) -> ApplicationView: ...

    async def of_user(self, user_id: int) -> Sequence[ApplicationView]: ...

    async def awaiting_decision(self) -> Sequence[ApplicationView]: ...

    async def decide(
        self,
        application_id: int,
        *,
        kind: str,
        amount_cents: int | None = None,
        reason: str | None = None,
    ) -> ApplicationView: ...

    async def figures(self) -> Sequence[RoundFigures]: ...

    async def export(self) -> None:
        """Staff only: the export of every submitted application is recorded; its files
        (`conversations.spreadsheets.applications_documents`) are made when they are sent."""
        ...


class Reports(Protocol):
    async def reportable_of(self, user_id: int) -> Sequence[ApplicationView]: ...

    async def report_of(self, application_id: int) -> ReportView | None: ...

    async def update_report(self, application_id: int, **fields: object) -> ReportView: ...

    async def add_receipt(
        self, application_id: int, *, channel: str, attachment: Attachment
    ) -> ReportView: ...

    async def submit_report(self, application_id: int) -> ReportView: ...

    async def reports_awaiting(self) -> Sequence[ReportView]: ...

    async def decide_report(
        self, application_id: int, *, accept: bool, note: str | None = None
    ) -> ReportView: ...

    async def receipts(self, application_id: int) -> Sequence[Attachment]: ...
