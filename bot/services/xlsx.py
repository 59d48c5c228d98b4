"""Excel workbooks (.xlsx) for staff, written row by row with XlsxWriter: typed cells, one sheet
per table, a bold, frozen header row with filters, dates as dates, amounts as numbers in euros,
columns as wide as their content (within bounds), and text that looks like a formula stored as
text with Excel's quote prefix.

XlsxWriter's constant_memory mode writes each sheet's rows to a temporary file as they come, so a
sheet of any length takes little memory; the rows of a sheet must come in order (the sheets of a
`Book` may be written by turns). Column widths, the frozen header and the filter are kept by
XlsxWriter until the file is closed, so they are set when a sheet's rows are known."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from bot.services.spreadsheet import FORMULA_STARTS, Cell, Money, Table, formula_like

# Number formats that every locale's Excel and LibreOffice read alike: ISO dates, and euros with
# the separators of whoever opens the file.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = '#,##0.00 "€"'
MIN_WIDTH, MAX_WIDTH = 6, 60
MEASURED_ROWS = 1000  # columns are as wide as the content of a sheet's first rows
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,  # text from people never runs
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "use_future_functions": False,
    "remove_timezone": True,  # datetimes are local wall-clock times already
}


def workbook(tables: Sequence[Table], *, right_to_left: bool = False) -> bytes:
    """An .xlsx file, one sheet per table."""
    book = Book(right_to_left=right_to_left)
    for table in tables:
        sheet = book.sheet(table.name, table.header)
        for row in table.rows:
            sheet.append(row)
    return book.close()


class Book:
    """A workbook whose sheets may be written by turns, each row by row."""

    def __init__(self, *, right_to_left: bool = False) -> None:
        self.right_to_left = right_to_left
        self.sheets: list[Sheet] = []
        self._buffer = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._buffer, OPTIONS)
        add = self._book.add_format
        self.bold = add({"bold": True})
        self.day = add({"num_format": DATE_FORMAT})
        self.moment = add({"num_format": DATETIME_FORMAT})
        self.money = add({"num_format": MONEY_FORMAT})
        self.quoted = add({"quote_prefix": True})

    def sheet(self, name: str, header: Sequence[str]) -> Sheet:
        worksheet = self._book.add_worksheet(self._sheet_name(name))
        if self.right_to_left:
            worksheet.right_to_left()
        sheet = Sheet(self, worksheet, header)
        self.sheets.append(sheet)
        return sheet

    def _sheet_name(self, name: str) -> str:
        """Excel's rules: at most 31 characters, none of []:*?/\\, unique regardless of case."""
        number = len(self.sheets) + 1
        taken = {sheet.name.casefold() for sheet in self.sheets}
        name = name.translate(SHEET_NAME_FORBIDDEN).strip().strip("'")[:31] or str(number)
        while name.casefold() in taken:
            name = f"{name[:27]} {number}"
        return name

    def close(self) -> bytes:
        for sheet in self.sheets:
            sheet.finish()
        self._book.close()
        return self._buffer.getvalue()


class Sheet:
    """One sheet of a `Book`: its rows are appended in order."""

    def __init__(self, book: Book, worksheet: Worksheet, header: Sequence[str]) -> None:
        self.name: str = worksheet.get_name()
        self.columns = len(header)
        self.rows = 0
        self.widths = [len(title) for title in header]
        self._sheet = worksheet
        self._quoted = book.quoted
        text, number = worksheet.write_string, worksheet.write_number
        day, moment, money = book.day, book.moment, book.money
        # The writer of each kind of cell, called with (row, column, value).
        self._writers: dict[type, Callable[[int, int, Any], object]] = {
            str: self._text,
            int: number,
            float: number,
            Money: lambda r, c, value: number(r, c, value.cents / 100, money),
            datetime: lambda r, c, value: worksheet.write_datetime(r, c, value, moment),
            date: lambda r, c, value: worksheet.write_datetime(r, c, value, day),
        }
        for column, title in enumerate(header):
            text(0, column, title, self._quoted if formula_like(title) else book.bold)
        worksheet.freeze_panes(1, 0)

    def append(self, row: Sequence[Cell]) -> None:
        self.rows += 1
        if self.rows <= MEASURED_ROWS:
            widths = self.widths
            for column, value in enumerate(row[: len(widths)]):
                if value is not None:
                    widths[column] = max(widths[column], _shown_width(value))
        number, writers, text = self.rows, self._writers, self._sheet.write_string
        for column, value in enumerate(row):
            if value.__class__ is str:  # most cells: without a lookup
                # write_string never makes a formula; the quote prefix keeps it text when someone
                # edits it.
                if value.startswith(FORMULA_STARTS):
                    text(number, column, value, self._quoted)
                else:
                    text(number, column, value)
            elif value is not None:
                writers.get(value.__class__, self._other)(number, column, value)

    def _text(self, row: int, column: int, value: str) -> None:
        if formula_like(value):
            self._sheet.write_string(row, column, value, self._quoted)
        else:
            self._sheet.write_string(row, column, value)

    def _other(self, row: int, column: int, value: Cell) -> None:
        """A subclass of one of the kinds (a bool, an enum member)."""
        for kind in (str, Money, datetime, date, int, float):
            if isinstance(value, kind):
                self._writers[kind](row, column, value)
                return
        raise TypeError(f"not a cell: {value!r}")

    def finish(self) -> None:
        """The widths and the filter, once the rows are known (XlsxWriter keeps them until it
        closes the file, also in constant_memory mode)."""
        for column, width in enumerate(self.widths):
            self._sheet.set_column(column, column, min(max(width, MIN_WIDTH), MAX_WIDTH) + 2)
        if self.columns:
            self._sheet.autofilter(0, 0, self.rows, self.columns - 1)


def _shown_width(value: Cell) -> int:
    if isinstance(value, Money):
        return len(f"{value.cents / 100:,.2f} €")
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return max((len(line) for line in str(value).splitlines()), default=0)
