"""Spreadsheet files for staff: the cells of their tables, and the CSV that German Excel and
LibreOffice open as it is (UTF-8 with BOM, `;`) for other programs; the workbook is made by
`bot/services/xlsx.py`. In both, text that a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from conversations.languages import LANGUAGES

# OWASP, "CSV Injection": a cell starting with one of these is read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_END = "\r\n"
# A row's text joined by newlines: a formula's start at its beginning or after one (a newline in
# a cell is a false alarm at worst).
FORMULA_START = re.compile("\n[=+\\-@\t\r]")
DELIMITER = ";"
# A row's text joined by NULs: what the CSV writer quotes (the delimiter, a quote, a line's end),
# and a formula's start (a NUL in a cell is a false alarm at worst); each looked for apart, as
# one pattern with alternatives takes 2.5 times as long.
QUOTED = re.compile('[;"\r\n]')
FORMULA_START_JOINED = re.compile("\x00[=+\\-@\t\r]")
# Readers of these languages get sheets that run from the right.
RIGHT_TO_LEFT = frozenset(language.code for language in LANGUAGES if language.right_to_left)


@dataclass(frozen=True)
class Money:
    """An amount in euro cents: a number in euros in the workbook, `450,50` in the CSV."""

    cents: int

    @property
    def euros(self) -> float:
        return self.cents / 100

    def __reduce__(self) -> tuple[type[Money], tuple[int]]:
        """Pickled as its cents (for the export's writer, `bot/services/grants/export/process.py`):
        less than half the time a dataclass's state takes, both ways."""
        return Money, (self.cents,)


# Datetimes are local wall-clock times (the caller converts them to the office's time zone).
Cell = str | int | float | Money | date | datetime | None
# Kinds the CSV writer writes as they are (None as empty), and those `cell` converts.
WRITTEN_AS_THEY_ARE = frozenset({str, int, float, type(None)})
CONVERTED = frozenset({Money, date, datetime})


@dataclass(frozen=True)
class Table:
    """One sheet: its name, the column headers and the rows, all in the reader's language."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def cell(value: Cell) -> str | int | float:
    """The value as it goes into the CSV: numbers unchanged, text that would start a formula
    behind a single quote, which spreadsheets show as text and do not evaluate."""
    if isinstance(value, str):  # most cells: first
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, Money):
        return _euros(value)
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date):
        return _day(value)
    return value


def _euros(value: Money) -> str:
    return f"{value.cents / 100:.2f}".replace(".", ",")


# German dates; formatted by hand, as strftime takes five times as long.
def _moment(value: datetime) -> str:
    return f"{value.day:02}.{value.month:02}.{value.year} {value.hour:02}:{value.minute:02}"


@functools.lru_cache(maxsize=4096)  # the same days again and again: starts, ends, due dates
def _day(value: date) -> str:
    return f"{value.day:02}.{value.month:02}.{value.year}"


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    table = CsvTable(header)
    table.extend(rows)
    return table.close()


class CsvTable:
    """A CSV written row by row, as the rows come."""

    def __init__(self, header: Sequence[str]) -> None:
        self._buffer = io.BytesIO()
        # The byte order mark by hand: "utf-8-sig" would encode every row in Python, not in C.
        self._buffer.write(codecs.BOM_UTF8)
        self._text = io.TextIOWrapper(self._buffer, encoding="utf-8", newline="")
        self._writer = csv.writer(self._text, delimiter=DELIMITER, lineterminator=LINE_END)
        self._shapes: dict[tuple[type, ...], _Shape] = {}
        self._scratch = io.StringIO()
        self._part_writer = csv.writer(self._scratch, delimiter=DELIMITER, lineterminator=LINE_END)
        self.append(header)

    def append(self, row: Sequence[Cell]) -> None:
        self._writer.writerow(self.cells(row))

    def cells(self, row: Sequence[Cell]) -> Sequence[str | int | float | None]:
        """The row's values as the CSV writer takes them (it writes None as empty): only those
        of kinds it does not write itself go through `cell`, found once per sequence of kinds;
        a row whose text may start a formula goes cell by cell."""
        shape = self._shape(row)
        texts = [row[at] for at in shape.texts]
        if not shape.plain or FORMULA_START.search("\n" + "\n".join(texts)):  # type: ignore[arg-type]
            return [cell(value) for value in row]
        if not shape.converted:
            return row  # type: ignore[return-value]
        values = list(row)
        for at in shape.converted:
            values[at] = cell(values[at])
        return values  # type: ignore[return-value]

    def _shape(self, row: Sequence[Cell]) -> _Shape:
        kinds = tuple(map(type, row))
        shape = self._shapes.get(kinds)
        if shape is None:
            shape = self._shapes[kinds] = _Shape(kinds)
        return shape

    def part(self, row: Sequence[Cell], *, plain: bool = False) -> str:
        """Some of a row's cells as CSV, to be written with others by `append_parts` (a part
        shared by several rows, made once). A row of several cells whose text the writer would
        not quote and that starts no formula (most) is joined here, as the writer would: in
        half its time, which went into the writer's scratch file and back. `plain`: its text
        was looked at already (`parts`) and is such."""
        shape = self._shape(row)
        texts = shape.texts
        if shape.plain and len(row) > 1 and (plain or _plain([row[at] for at in texts])):  # type: ignore[misc]
            values = list(row)
            for at, spelled in shape.spelled:
                values[at] = spelled(values[at])
            return DELIMITER.join(values)  # type: ignore[arg-type]
        scratch = self._scratch
        scratch.seek(0)
        scratch.truncate()
        self._part_writer.writerow(self.cells(row))
        return scratch.getvalue()[: -len(LINE_END)]

    def parts(self, rows: Sequence[Sequence[Cell]]) -> list[str]:
        """`part` of each row; their text is looked at once for all of them (in most batches
        nothing is quoted and nothing starts a formula, so no row needs a look of its own)."""
        plain = _plain([value for row in rows for value in row if value.__class__ is str])
        return [self.part(row, plain=plain) for row in rows]

    def append_parts(self, *parts: str) -> None:
        """A row of parts made by `part`, each of at least one cell."""
        self._text.write(DELIMITER.join(parts) + LINE_END)

    def extend_parts(self, rows: Iterable[Sequence[str]]) -> None:
        """Rows of parts, as `append_parts` writes each, in one write."""
        self._text.write("".join(DELIMITER.join(parts) + LINE_END for parts in rows))

    def extend(self, rows: Iterable[Sequence[Cell]]) -> None:
        self._writer.writerows(self.cells(row) for row in rows)

    def close(self) -> bytes:
        self._text.flush()
        return self._buffer.getvalue()


def _plain(texts: list[str]) -> bool:
    """Text the CSV writer would not quote and that starts no formula."""
    joined = "\x00" + "\x00".join(texts)
    return QUOTED.search(joined) is None and FORMULA_START_JOINED.search(joined) is None


class _Shape:
    """Where in rows of one sequence of kinds the text is, and the values `cell` converts."""

    def __init__(self, kinds: tuple[type, ...]) -> None:
        self.plain = WRITTEN_AS_THEY_ARE.union(CONVERTED).issuperset(kinds)
        self.texts = [at for at, kind in enumerate(kinds) if kind is str]
        self.converted = [at for at, kind in enumerate(kinds) if kind in CONVERTED]
        # In plain rows, how the cells that are not text are spelled, as `cell` and the CSV
        # writer spell them (numbers as `str` does, a float as `repr`, None as nothing).
        self.spelled = (
            [(at, SPELLED[kind]) for at, kind in enumerate(kinds) if kind is not str]
            if self.plain
            else []
        )


def _nothing(_: None) -> str:
    return ""


SPELLED: dict[type, Callable[[Any], str]] = {
    int: str,
    float: repr,
    type(None): _nothing,
    Money: _euros,
    datetime: _moment,
    date: _day,
}
