"""Spreadsheet files for staff: an Excel workbook (XlsxWriter) with typed cells, one sheet per
table, and the CSV that German Excel and LibreOffice open as it is (UTF-8 with BOM, `;`) for other
programs. In both, text that a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter

from conversations.languages import LANGUAGES

# OWASP, "CSV Injection": a cell starting with one of these is read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Number formats that every locale's Excel and LibreOffice read alike: ISO dates, and euros with
# the separators of whoever opens the file.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = '#,##0.00 "€"'
MIN_WIDTH, MAX_WIDTH = 6, 60
# Readers of these languages get sheets that run from the right.
RIGHT_TO_LEFT = frozenset(language.code for language in LANGUAGES if language.right_to_left)
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


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
    if value is None:
        return ""
    if isinstance(value, Money):
        return f"{value.cents / 100:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int | float):
        return value
    return "'" + value if formula_like(value) else value


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _shown_width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, Money):
        return len(f"{value.cents / 100:,.2f} €")
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet_names(tables: Sequence[Table]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique regardless of case."""
    names: list[str] = []
    for number, table in enumerate(tables, start=1):
        name = table.name.translate(SHEET_NAME_FORBIDDEN).strip().strip("'")[:31] or str(number)
        while name.casefold() in {n.casefold() for n in names}:
            name = f"{name[:27]} {number}"
        names.append(name)
    return names


def workbook(tables: Sequence[Table], *, right_to_left: bool = False) -> bytes:
    """An .xlsx file, one sheet per table: a bold, frozen header row with filters, dates as dates,
    amounts as numbers in euros, columns as wide as their content (within bounds), and text
    that looks like a formula stored as text with Excel's quote prefix."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": DATE_FORMAT})
    moment = book.add_format({"num_format": DATETIME_FORMAT})
    money = book.add_format({"num_format": MONEY_FORMAT})
    quoted = book.add_format({"quote_prefix": True})
    for table, name in zip(tables, _sheet_names(tables), strict=True):
        sheet = book.add_worksheet(name)
        if right_to_left:
            sheet.right_to_left()
        widths = [len(title) for title in table.header]
        for column, title in enumerate(table.header):
            _write(sheet, 0, column, title, bold if not formula_like(title) else quoted)
        for row_number, row in enumerate(table.rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if column < len(widths):
                    widths[column] = max(widths[column], _shown_width(value))
                if isinstance(value, Money):
                    sheet.write_number(row_number, column, value.cents / 100, money)
                elif isinstance(value, datetime):
                    sheet.write_datetime(row_number, column, value.replace(tzinfo=None), moment)
                elif isinstance(value, date):
                    sheet.write_datetime(row_number, column, value, day)
                elif isinstance(value, int | float):
                    sheet.write_number(row_number, column, value)
                else:
                    _write(
                        sheet, row_number, column, value, quoted if formula_like(value) else None
                    )
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width, MIN_WIDTH), MAX_WIDTH) + 2)
        sheet.freeze_panes(1, 0)
        if table.header:
            sheet.autofilter(0, 0, len(table.rows), len(table.header) - 1)
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, row: int, column: int, text: str, style: object) -> None:
    # write_string never makes a formula; the quote prefix keeps it text when someone edits it.
    if style is None:
        sheet.write_string(row, column, text)
    else:
        sheet.write_string(row, column, text, style)
