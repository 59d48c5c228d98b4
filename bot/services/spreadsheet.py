"""Spreadsheet files for staff: the cells of their tables, and the CSV that German Excel and
LibreOffice open as it is (UTF-8 with BOM, `;`) for other programs; the workbook is made by
`bot/services/xlsx.py`. In both, text that a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from conversations.languages import LANGUAGES

# OWASP, "CSV Injection": a cell starting with one of these is read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Readers of these languages get sheets that run from the right.
RIGHT_TO_LEFT = frozenset(language.code for language in LANGUAGES if language.right_to_left)


@dataclass(frozen=True)
class Money:
    """An amount in euro cents: a number in euros in the workbook, `450,50` in the CSV."""

    cents: int


# Datetimes are local wall-clock times (the caller converts them to the office's time zone).
Cell = str | int | float | Money | date | datetime | None


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
        return f"{value.cents / 100:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return value


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    table = CsvTable(header)
    table.extend(rows)
    return table.close()


class CsvTable:
    """A CSV written row by row, as the rows come."""

    def __init__(self, header: Sequence[str]) -> None:
        self._buffer = io.BytesIO()
        self._text = io.TextIOWrapper(self._buffer, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text, delimiter=";", lineterminator="\r\n")
        self.append(header)

    def append(self, row: Sequence[Cell]) -> None:
        self._writer.writerow(self.cells(row))

    @staticmethod
    def cells(row: Sequence[Cell]) -> list[str | int | float]:
        return [cell(value) for value in row]

    def append_cells(self, cells: Sequence[str | int | float]) -> None:
        """A row made by `cells` already (a part shared by several rows, made once)."""
        self._writer.writerow(cells)

    def extend(self, rows: Iterable[Sequence[Cell]]) -> None:
        self._writer.writerows([cell(value) for value in row] for row in rows)

    def close(self) -> bytes:
        self._text.flush()
        return self._buffer.getvalue()
