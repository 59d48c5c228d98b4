"""The export's reading: four SELECTs streamed side by side in a transaction that only reads,
ordered by application, handed out a chunk of applications at a time with their cost items,
decisions and receipts, so that neither the time nor the memory grows with more than the rows."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Executable, String, and_, cast, select
from sqlalchemy.ext.asyncio import AsyncResult, AsyncSession

from bot.db.models import (
    Application,
    CostItem,
    Decision,
    FundingRound,
    GrantReport,
    Region,
    ReportFile,
)
from bot.services.grants.figures import REPORTED

FETCHED = 500  # rows fetched at a time from each SELECT (on PostgreSQL, a round trip each)
# Applications handed out at a time. Fewer at a time take no longer, and leave the process less
# memory that a few lasting objects made meanwhile hold on to (Python frees its small objects'
# memory a MiB at a time, only once all in it are freed).
CHUNK = 200

SUBMITTED = Application.status != "draft"
APPLICATIONS = (
    select(
        Application.id,
        Application.reference,
        FundingRound.name,
        Application.status,
        Application.applicant_name,
        Application.organisation,
        Application.contact,
        Region.name,
        Application.title,
        Application.description,
        # As text: the few combinations of topics are decoded once each (`rows.Words`).
        cast(Application.topics, String),
        Application.volunteers_expected,
        Application.newcomers_expected,
        Application.starts_on,
        Application.ends_on,
        Application.submitted_at,
        Application.approved_cents,
        Application.decided_at,
        Application.decision_reason,
        Application.report_due_on,
        GrantReport.status,
        GrantReport.volunteers_reached,
        GrantReport.newcomers_reached,
        GrantReport.summary,
        GrantReport.costs,
    )
    .join(FundingRound, FundingRound.id == Application.round_id)
    .outerjoin(Region, Region.id == Application.region_id)
    .outerjoin(
        GrantReport,
        and_(GrantReport.application_id == Application.id, GrantReport.status.in_(REPORTED)),
    )
    .where(SUBMITTED)
    .order_by(Application.id)
)
ITEMS = (
    select(CostItem.application_id, CostItem.category, CostItem.description, CostItem.amount_cents)
    .join(Application, Application.id == CostItem.application_id)
    .where(SUBMITTED)
    .order_by(CostItem.application_id, CostItem.id)
)
DECISIONS = (
    select(Decision.application_id, Decision.at, Decision.kind, Decision.amount_cents)
    .add_columns(Decision.reason)
    .join(Application, Application.id == Decision.application_id)
    .where(SUBMITTED)
    .order_by(Decision.application_id, Decision.at, Decision.id)
)
RECEIPTS = (
    select(GrantReport.application_id, ReportFile.name, ReportFile.mime_type, ReportFile.size)
    .join(GrantReport, GrantReport.id == ReportFile.report_id)
    .join(Application, Application.id == GrantReport.application_id)
    .where(SUBMITTED, GrantReport.status.in_(REPORTED))
    .order_by(GrantReport.application_id, ReportFile.id)
)


@dataclass(frozen=True)
class Entry:
    """One application, with its cost items, decisions and receipts, as the SELECTs gave them."""

    application: Sequence[Any]
    items: list[Sequence[Any]]
    decisions: list[Sequence[Any]]
    receipts: list[Sequence[Any]]


class Beside:
    """The rows of a SELECT ordered by application id, handed out a chunk of applications at a
    time as the applications come."""

    def __init__(self, rows: AsyncResult[Any]) -> None:
        self._result = rows
        self._rows: list[Sequence[Any]] = []
        self._more = True

    async def upto(self, last_id: int) -> defaultdict[int, list[Sequence[Any]]]:
        """The rows of the applications up to `last_id`, by application."""
        while self._more and (not self._rows or self._rows[-1][0] <= last_id):
            fetched = await self._result.fetchmany(FETCHED)
            self._more = bool(fetched)
            self._rows.extend(fetched)
        split = bisect_right(self._rows, last_id, key=itemgetter(0))
        taken, self._rows = self._rows[:split], self._rows[split:]
        by_application: defaultdict[int, list[Sequence[Any]]] = defaultdict(list)
        for row in taken:
            by_application[row[0]].append(row)
        return by_application


async def _stream(session: AsyncSession, query: Executable) -> AsyncResult[Any]:
    # On the session's connection: the rows are plain columns, and the ORM's handling of each
    # (a third of the fetch's time) would add nothing.
    connection = await session.connection()
    return await connection.stream(query, execution_options={"yield_per": FETCHED})


async def entries(session: AsyncSession) -> AsyncIterator[list[Entry]]:
    """The submitted applications, up to `CHUNK` at a time, each with its rows of the other
    SELECTs."""
    beside = [Beside(await _stream(session, query)) for query in (ITEMS, DECISIONS, RECEIPTS)]
    async for chunk in (await _stream(session, APPLICATIONS)).partitions(CHUNK):
        last_id = chunk[-1][0]
        items, decisions, receipts = [await rows.upto(last_id) for rows in beside]
        yield [Entry(row, items[row[0]], decisions[row[0]], receipts[row[0]]) for row in chunk]
