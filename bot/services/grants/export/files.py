"""The export's two files from one pass over the rows: the workbook (a sheet each for the
applications, cost items, decisions and reports, and two of the questions to the office) and the
CSV (a row per cost item). Written in a worker thread, a chunk of applications at a time."""

from __future__ import annotations

from bot.services.grants.export.queries import Entry
from bot.services.grants.export.rows import (
    APPLICATION_COLUMNS,
    DECISION_COLUMNS,
    ITEM_COLUMNS,
    REPORT_COLUMNS,
    SHEETS,
    Words,
    application_row,
    decision_rows,
    headers,
    item_rows,
    report_row,
)
from bot.services.spreadsheet import RIGHT_TO_LEFT, Cell, CsvTable, Table, cell
from bot.services.xlsx_process import BookElsewhere
from conversations.markers import N_
from conversations.spreadsheets import APPLICATIONS_CSV, APPLICATIONS_WORKBOOK

NO_ITEM: list[Cell] = [None] * len(ITEM_COLUMNS)
NO_REPORT: list[Cell] = [None] * len(REPORT_COLUMNS)


class ExportFiles:
    """The workbook and the CSV, written as the applications come."""

    def __init__(self, words: Words) -> None:
        self.words = words
        # In a process of its own: the rows are fetched and the CSV written meanwhile.
        self.book = BookElsewhere(right_to_left=words.t.locale in RIGHT_TO_LEFT)
        which = (N_("Reference"), N_("Title"))
        self.sheets = [
            self.book.sheet(words.gettext(SHEETS[0]), headers(words, APPLICATION_COLUMNS)),
            self.book.sheet(words.gettext(SHEETS[1]), headers(words, which, ITEM_COLUMNS)),
            self.book.sheet(words.gettext(SHEETS[2]), headers(words, which, DECISION_COLUMNS)),
            self.book.sheet(words.gettext(SHEETS[3]), headers(words, which, REPORT_COLUMNS)),
        ]
        # One row per cost item (an application without any: one row), `;`-separated, UTF-8
        # with BOM, as German spreadsheets open it.
        self.table = CsvTable(
            [
                *headers(words, APPLICATION_COLUMNS),
                words.gettext("Decisions"),
                *headers(words, REPORT_COLUMNS, ITEM_COLUMNS),
            ]
        )

    def write(self, chunk: list[Entry]) -> None:
        words, table = self.words, self.table
        applications, costs, decided, reports = self.sheets
        for entry in chunk:
            row = application_row(entry, words)
            items = item_rows(entry, words)
            decisions = decision_rows(entry, words)
            report = report_row(entry, words)
            applications.append(row)
            which = [row[0], row[7]]  # reference, title
            for item in items:
                costs.append([*which, *item])
            for decision in decisions:
                decided.append([*which, *decision])
            if report is not None:
                reports.append([*which, *report])
            history = " | ".join(f"{cell(when)} {kind}" for when, kind, *_ in decisions)
            # The application's cells once, on each of its cost items' rows.
            shared = table.part([*row, history, *(report or NO_REPORT)])
            for item in items or [NO_ITEM]:
                table.append_parts(shared, table.part(item))

    def close(self, questions: list[Table]) -> dict[str, bytes]:
        """Both files' bytes, by what makes them; the questions to the office (what the
        programme's people need, and the library lacks) are the workbook's last sheets."""
        for question in questions:
            sheet = self.book.sheet(question.name, question.header)
            for row in question.rows:
                sheet.append(row)
        return {APPLICATIONS_WORKBOOK: self.book.close(), APPLICATIONS_CSV: self.table.close()}

    def discard(self) -> None:
        """Neither file will be made (the rows could not all be read)."""
        self.book.discard()
