"""The one boundary for what people type: clean text, length limits and ids from button data.

Every typed text passes `typed` before a flow sees it (the engine does this): Unicode NFC, no NUL
or other control characters (a line break and a tab stay, as a space for the tab), and no
bidirectional controls, which could make a text read differently from what it is when staff or
other people see it. The limits below are the ones the questions state, the refusals repeat and
the database columns are sized from, so they cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

from conversations.ports import Translator

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the direction marks
# (LRM, RLM, ALM): never needed in what a person types here, and able to reorder what others read.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_REMOVED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_ONE_LINE = re.compile(r"\s+")

# Ids in the database are 32-bit integers on every backend; anything beyond is no record of ours.
MAX_ID = 2**31 - 1
# Digits a typed amount or count may have: enough for any sum this office handles.
MAX_DIGITS = 9


@dataclass(frozen=True)
class TextLimit:
    """How long a typed answer may be (`low`..`high` characters), and the size of the column it
    is kept in (`column`, at least `high`; `high` when not given)."""

    low: int
    high: int
    column: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high <= self.size:
            raise ValueError(f"limit {self.low}..{self.high} does not fit column {self.size}")

    @property
    def size(self) -> int:
        return self.column if self.column is not None else self.high


# People and applications
PERSON_NAME = TextLimit(2, 200)
ORGANISATION = TextLimit(2, 200)
CONTACT = TextLimit(5, 200)
DISPLAY_NAME = TextLimit(0, 200)
PROJECT_TITLE = TextLimit(3, 120, column=200)
PROJECT_DESCRIPTION = TextLimit(20, 2000)
COST_ITEM = TextLimit(2, 200, column=300)
STAFF_NOTE = TextLimit(3, 1000)
DECISION_REASON = TextLimit(3, 1000)
# Reports
REPORT_SUMMARY = TextLimit(20, 3000)
RECEIPT_NAME = TextLimit(1, 120, column=255)
# Meetings
MEETING_TITLE = TextLimit(3, 120, column=200)
MEETING_PLACE = TextLimit(3, 300)
MEETING_LINK = TextLimit(8, 300)
MEETING_AGENDA = TextLimit(0, 2000)
MEETING_MESSAGE = TextLimit(3, 500)
MEETING_LANGUAGES = TextLimit(0, 200)
# Outreach
ANNOUNCEMENT = TextLimit(3, 3500)
SURVEY_QUESTION = TextLimit(5, 500)
SURVEY_OPTION = TextLimit(1, 100)
SURVEY_ANSWER = TextLimit(1, 2000)
TOPIC_TITLE = TextLimit(1, 200)
# A topic's text (the Markdown of a content file): a few screens, read in a few messages.
TOPIC_TEXT = TextLimit(50, 12_000)
LOCAL_CONTACTS = TextLimit(10, 3000)
# A typed search for information: what is longer is no question, and is cut before searching.
SEARCH = TextLimit(1, 500)
# Questions to the office (/ask): what a person asks or replies, what staff answer, a file's name.
QUESTION_TEXT = TextLimit(3, 2000, column=3500)
QUESTION_ANSWER = TextLimit(1, 3500)
QUESTION_FILE_NAME = TextLimit(1, 120, column=255)


def typed(text: str) -> str:
    """`text` as a person may have typed it, made safe to keep and to show: NFC, without control
    characters (but line breaks) and bidirectional controls."""
    text = unicodedata.normalize("NFC", text).replace("\t", " ").replace("\r\n", "\n")
    return _REMOVED.sub("", text.replace("\r", "\n"))


def one_line(text: str) -> str:
    """`typed` text on one line, runs of spaces and line breaks made one space."""
    return _ONE_LINE.sub(" ", typed(text)).strip()


def shortened(t: Translator, text: str, length: int) -> str:
    """`text` for a summary, escaped for HTML: whole up to `length` characters, else cut there
    with a note that says so (where it is shown whole is the caller's to say)."""
    if len(text) <= length:
        return escape(text)
    return (
        escape(text[:length].rstrip())
        + " "
        + t.ngettext(
            "[… shortened: {count} character in all]",
            "[… shortened: {count} characters in all]",
            len(text),
        ).format(count=t.format_number(len(text)))
    )


def file_name(name: str | None, *, limit: TextLimit = RECEIPT_NAME) -> str | None:
    """A file name as a person's device gave it, cleaned to show and keep: one line, no path, no
    control characters, at most `limit.high` characters with its extension kept."""
    if name is None:
        return None
    name = one_line(name).replace("/", "_").replace("\\", "_").strip(" .")
    if not name:
        return None
    if len(name) <= limit.high:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 10 and stem:
        return stem[: limit.high - len(extension) - 1].rstrip() + "." + extension
    return name[: limit.high].rstrip()


def record_id(text: str) -> int:
    """An id from button data: ASCII digits within the database's range, else ValueError (the
    engine answers a stale or forged button as no longer valid)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        raise ValueError(f"not an id: {text[:20]!r}")
    value = int(text)
    if not 0 < value <= MAX_ID:
        raise ValueError(f"id out of range: {value}")
    return value


def limit_hint(t: Translator, limit: TextLimit) -> str:
    """What a question says under itself about its limit."""
    return t.ngettext(
        "(at most {count} character)", "(at most {count} characters)", limit.high
    ).format(count=t.format_number(limit.high))


def too_long(t: Translator, limit: TextLimit, length: int) -> str:
    return t.ngettext(
        "Please write at most {count} character; you wrote {length}.",
        "Please write at most {count} characters; you wrote {length}.",
        limit.high,
    ).format(count=t.format_number(limit.high), length=t.format_number(length))


def too_short(t: Translator, limit: TextLimit) -> str:
    return t.ngettext(
        "Please write at least {count} character.",
        "Please write at least {count} characters.",
        limit.low,
    ).format(count=t.format_number(limit.low))
