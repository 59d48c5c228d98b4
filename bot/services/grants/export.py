"""/export: every submitted application in the staff member's language, as a workbook with a
sheet each for the applications, cost items, decisions and reports (and two of the questions to
the office), and as one CSV (a row per cost item) for other programs.

Both are made when their message is sent (`bot/delivery/carrier.py`), in a transaction that only
reads: four SELECTs streamed side by side, ordered by application, whatever their number, and
written row by row, so that neither the time nor the memory grows with more than the rows. The
rows are fetched on the event loop and written a chunk at a time in a worker thread, so that the
bot answers people while it writes a large file."""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, and_, select
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
from bot.delivery.carrier import Maker
from bot.services.grants.figures import REPORTED
from bot.services.office.figures import question_figures, question_tables
from bot.services.spreadsheet import RIGHT_TO_LEFT, Cell, CsvTable, Money, Table, cell
from bot.services.xlsx import Book, Sheet
from conversations.grants.terms import CATEGORIES, STATUSES, TOPICS
from conversations.markers import N_
from conversations.people.ports import ERASED
from conversations.ports import Translator
from conversations.spreadsheets import APPLICATIONS_CSV, APPLICATIONS_WORKBOOK

STREAMED = 500  # rows fetched at a time from each SELECT; applications written at a time

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
        Application.topics,
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


def makers(*, tz: ZoneInfo) -> dict[str, Maker]:
    """What the dispatcher makes the export's files with."""
    return {
        APPLICATIONS_WORKBOOK: partial(applications_workbook, tz=tz),
        APPLICATIONS_CSV: partial(applications_csv, tz=tz),
    }


async def applications_workbook(session: AsyncSession, t: Translator, *, tz: ZoneInfo) -> bytes:
    questions = question_tables(await question_figures(session), t)
    words = Words(t, tz)
    book, sheets = await asyncio.to_thread(_book, words)
    async for chunk in entries(session):
        await asyncio.to_thread(_write, sheets, chunk, words)
    return await asyncio.to_thread(_close, book, questions)


async def applications_csv(session: AsyncSession, t: Translator, *, tz: ZoneInfo) -> bytes:
    words = Words(t, tz)
    table = _csv_table(words)
    async for chunk in entries(session):
        await asyncio.to_thread(_csv_rows, table, chunk, words)
    return table.close()


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
            fetched = await self._result.fetchmany(STREAMED)
            self._more = bool(fetched)
            self._rows.extend(fetched)
        split = bisect_right(self._rows, last_id, key=itemgetter(0))
        taken, self._rows = self._rows[:split], self._rows[split:]
        by_application: defaultdict[int, list[Sequence[Any]]] = defaultdict(list)
        for row in taken:
            by_application[row[0]].append(row)
        return by_application


async def _stream(session: AsyncSession, query: Executable) -> AsyncResult[Any]:
    return await session.stream(query, execution_options={"yield_per": STREAMED})


async def entries(session: AsyncSession) -> AsyncIterator[list[Entry]]:
    """The submitted applications, up to `STREAMED` at a time, each with its rows of the
    other SELECTs."""
    beside = [Beside(await _stream(session, query)) for query in (ITEMS, DECISIONS, RECEIPTS)]
    async for chunk in (await _stream(session, APPLICATIONS)).partitions():
        last_id = chunk[-1][0]
        items, decisions, receipts = [await rows.upto(last_id) for rows in beside]
        yield [Entry(row, items[row[0]], decisions[row[0]], receipts[row[0]]) for row in chunk]


class Words:
    """The reader's language and time zone, with the labels of the stored keys looked up once."""

    def __init__(self, t: Translator, tz: ZoneInfo) -> None:
        self.t, self.tz = t, tz
        self.gettext = t.gettext
        self.statuses = self._labels(STATUSES)
        self.topics = self._labels(TOPICS)
        self.categories = self._labels(CATEGORIES)
        self.reports = self._labels(REPORT_STATUSES)
        self.erased = t.gettext("deleted at the applicant's request")

    def _labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        return {key: self.t.gettext(label) for key, label in labels.items()}

    def local(self, value: datetime | None) -> datetime | None:
        return value.astimezone(self.tz) if value is not None else None

    def person(self, value: str | None) -> str | None:
        """A funding record whose applicant erased their data says so, in the reader's words."""
        return self.erased if value == ERASED else value


def _label(labels: dict[str, str], key: str | None) -> str | None:
    """A stored key in the reader's words; a key without a label (an old one) as it is."""
    return None if key is None else labels.get(key, key)


def _application_row(entry: Entry, words: Words) -> list[Cell]:
    (_id, reference, round_name, status, name, organisation, contact, region, title) = (
        entry.application[:9]
    )
    (description, topics, volunteers, newcomers, starts, ends, submitted, approved) = (
        entry.application[9:17]
    )
    decided, reason, report_due = entry.application[17:20]
    return [
        reference,
        round_name,
        _label(words.statuses, status),
        words.person(name),
        words.person(organisation),
        words.person(contact),
        region or "",
        title,
        description,
        ", ".join(_label(words.topics, key) or "" for key in topics or []),
        volunteers,
        newcomers,
        starts,
        ends,
        words.local(submitted),
        Money(sum(item[3] for item in entry.items)),
        Money(approved) if approved is not None else None,
        words.local(decided),
        reason,
        report_due,
    ]


def _items(entry: Entry, words: Words) -> list[list[Cell]]:
    return [
        [_label(words.categories, category), description, Money(amount)]
        for _id, category, description, amount in entry.items
    ]


def _decisions(entry: Entry, words: Words) -> list[list[Cell]]:
    return [
        [
            words.local(at),
            _label(words.statuses, DECISION_KINDS.get(kind, kind)),
            Money(amount) if amount is not None else None,
            reason,
        ]
        for _id, at, kind, amount, reason in entry.decisions
    ]


def _report(entry: Entry, words: Words) -> list[Cell] | None:
    status, volunteers, newcomers, summary, costs = entry.application[20:25]
    if status is None:
        return None
    receipts = " | ".join(
        f"{name or mime_type} ({size or 0} B)" for _id, name, mime_type, size in entry.receipts
    )
    return [
        _label(words.reports, status),
        volunteers,
        newcomers,
        summary,
        Money(sum((costs or {}).values())),
        receipts,
    ]


def _headers(words: Words, *columns: Sequence[str]) -> list[str]:
    return [words.gettext(column) for group in columns for column in group]


# The workbook and the CSV are written in a worker thread (asyncio.to_thread), one part at a time.


def _book(words: Words) -> tuple[Book, list[Sheet]]:
    book = Book(right_to_left=words.t.locale in RIGHT_TO_LEFT)
    which = (N_("Reference"), N_("Title"))
    return book, [
        book.sheet(words.gettext(SHEETS[0]), _headers(words, APPLICATION_COLUMNS)),
        book.sheet(words.gettext(SHEETS[1]), _headers(words, which, ITEM_COLUMNS)),
        book.sheet(words.gettext(SHEETS[2]), _headers(words, which, DECISION_COLUMNS)),
        book.sheet(words.gettext(SHEETS[3]), _headers(words, which, REPORT_COLUMNS)),
    ]


def _write(sheets: list[Sheet], chunk: list[Entry], words: Words) -> None:
    for entry in chunk:
        sheets[0].append(_application_row(entry, words))
        application = [entry.application[1], entry.application[8]]  # reference, title
        for item in _items(entry, words):
            sheets[1].append([*application, *item])
        for decision in _decisions(entry, words):
            sheets[2].append([*application, *decision])
        report = _report(entry, words)
        if report is not None:
            sheets[3].append([*application, *report])


def _close(book: Book, questions: list[Table]) -> bytes:
    # The questions to the office: what the programme's people need, and the library lacks.
    for table in questions:
        sheet = book.sheet(table.name, table.header)
        for row in table.rows:
            sheet.append(row)
    return book.close()


def _csv_table(words: Words) -> CsvTable:
    """One row per cost item (an application without any: one row), `;`-separated, UTF-8 with
    BOM, as German spreadsheets open it."""
    return CsvTable(
        [
            *_headers(words, APPLICATION_COLUMNS),
            words.gettext("Decisions"),
            *_headers(words, REPORT_COLUMNS, ITEM_COLUMNS),
        ]
    )


def _csv_rows(table: CsvTable, chunk: list[Entry], words: Words) -> None:
    nothing: list[Cell] = [None] * len(ITEM_COLUMNS)
    no_report: list[Cell] = [None] * len(REPORT_COLUMNS)
    for entry in chunk:
        history = " | ".join(f"{cell(when)} {kind}" for when, kind, *_ in _decisions(entry, words))
        # The application's cells once, on each of its cost items' rows.
        application = table.cells(
            [*_application_row(entry, words), history, *(_report(entry, words) or no_report)]
        )
        for item in _items(entry, words) or [nothing]:
            table.append_cells([*application, *table.cells(item)])
