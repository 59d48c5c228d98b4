"""The export's rows in the reader's words: the columns, the labels of the stored keys, and the
cells of an application, its cost items, decisions and report (which `files.py` writes)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.grants.export.files import Cells, Layout
from bot.services.grants.export.queries import Entry
from bot.services.spreadsheet import RIGHT_TO_LEFT, Cell, Money
from conversations.grants.terms import CATEGORIES, STATUSES, TOPICS
from conversations.markers import N_
from conversations.people.ports import ERASED
from conversations.ports import Translator

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
        self._topic_lists: dict[str | None, str] = {}

    def _labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        return {key: self.t.gettext(label) for key, label in labels.items()}

    def local(self, value: datetime | None) -> datetime | None:
        return value.astimezone(self.tz) if value is not None else None

    def topic_list(self, stored: str | None) -> str:
        """An application's topics as stored (a JSON list of keys), in the reader's words: each
        combination is decoded and looked up once."""
        listed = self._topic_lists.get(stored)
        if listed is None:
            keys = json.loads(stored) if stored else None
            listed = ", ".join(label(self.topics, key) or "" for key in keys or [])
            self._topic_lists[stored] = listed
        return listed

    def person(self, value: str | None) -> str | None:
        """A funding record whose applicant erased their data says so, in the reader's words."""
        return self.erased if value == ERASED else value


def label(labels: dict[str, str], key: str | None) -> str | None:
    """A stored key in the reader's words; a key without a label (an old one) as it is."""
    return None if key is None else labels.get(key, key)


def application_row(entry: Entry, words: Words) -> list[Cell]:
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
        label(words.statuses, status),
        words.person(name),
        words.person(organisation),
        words.person(contact),
        region or "",
        title,
        description,
        words.topic_list(topics),
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


def item_rows(entry: Entry, words: Words) -> list[list[Cell]]:
    return [
        [label(words.categories, category), description, Money(amount)]
        for _id, category, description, amount in entry.items
    ]


def decision_rows(entry: Entry, words: Words) -> list[list[Cell]]:
    return [
        [
            words.local(at),
            label(words.statuses, DECISION_KINDS.get(kind, kind)),
            Money(amount) if amount is not None else None,
            reason,
        ]
        for _id, at, kind, amount, reason in entry.decisions
    ]


def report_row(entry: Entry, words: Words) -> list[Cell] | None:
    status, volunteers, newcomers, summary, costs = entry.application[20:25]
    if status is None:
        return None
    receipts = " | ".join(
        f"{name or mime_type} ({size or 0} B)" for _id, name, mime_type, size in entry.receipts
    )
    return [
        label(words.reports, status),
        volunteers,
        newcomers,
        summary,
        Money(sum((costs or {}).values())),
        receipts,
    ]


def headers(words: Words, *columns: Sequence[str]) -> list[str]:
    return [words.gettext(column) for group in columns for column in group]


def layout(words: Words) -> Layout:
    """The files' sheets, headers and direction in the reader's language."""
    which = (N_("Reference"), N_("Title"))
    return Layout(
        right_to_left=words.t.locale in RIGHT_TO_LEFT,
        sheets=(
            (words.gettext(SHEETS[0]), headers(words, APPLICATION_COLUMNS)),
            (words.gettext(SHEETS[1]), headers(words, which, ITEM_COLUMNS)),
            (words.gettext(SHEETS[2]), headers(words, which, DECISION_COLUMNS)),
            (words.gettext(SHEETS[3]), headers(words, which, REPORT_COLUMNS)),
        ),
        csv_header=[
            *headers(words, APPLICATION_COLUMNS),
            words.gettext("Decisions"),
            *headers(words, REPORT_COLUMNS, ITEM_COLUMNS),
        ],
        item_cells=len(ITEM_COLUMNS),
        report_cells=len(REPORT_COLUMNS),
    )


def cells(entry: Entry, words: Words) -> Cells:
    return (
        application_row(entry, words),
        item_rows(entry, words),
        decision_rows(entry, words),
        report_row(entry, words),
    )
