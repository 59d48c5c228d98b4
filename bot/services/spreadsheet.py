"""Spreadsheet files for staff: CSV as German Excel and LibreOffice open it (UTF-8 with BOM, `;`),
with text that a spreadsheet would run as a formula made harmless."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# OWASP, "CSV Injection": a cell starting with one of these is read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Figure(str):
    """A number the code formatted itself (an amount such as `1000,00`): written as it is."""

    __slots__ = ()


Cell = str | int | float | None


def cell(value: Cell) -> str | int | float:
    """The value as it goes into the file: numbers unchanged, text that would start a formula
    behind a single quote, which spreadsheets show as text and do not evaluate."""
    if value is None:
        return ""
    if isinstance(value, int | float | Figure):
        return value
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
