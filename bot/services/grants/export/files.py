"""The export's two files from its applications' cells: the workbook (a sheet each for the
applications, cost items, decisions and reports, and two of the questions to the office) and the
CSV (a row per cost item). Each is written a chunk of applications at a time, by a process of its
own (`process.py`): so this module imports no database and no catalogs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.spreadsheet import Cell, CsvTable, Table, cell
from bot.services.xlsx import Book

# An application's cells: its row, its cost items', its decisions' and its report's, if any.
Cells = tuple[list[Cell], list[list[Cell]], list[list[Cell]], list[Cell] | None]


@dataclass(frozen=True)
class Layout:
    """The files' words in the reader's language (`rows.layout`), and the sheets' direction."""

    right_to_left: bool
    sheets: tuple[tuple[str, list[str]], ...]  # applications, items, decisions, reports
    csv_header: list[str]
    item_cells: int  # a cost item's cells, and a report's: empty where there is none
    report_cells: int


class ExportWorkbook:
    """The workbook, written as the applications come."""

    def __init__(self, layout: Layout) -> None:
        self.book = Book(right_to_left=layout.right_to_left)
        self.sheets = [self.book.sheet(name, header) for name, header in layout.sheets]

    def write(self, applications: Sequence[Cells]) -> None:
        listed: list[list[Cell]] = []
        costs: list[list[Cell]] = []
        decided: list[list[Cell]] = []
        reports: list[list[Cell]] = []
        for row, items, decisions, report in applications:
            listed.append(row)
            which = [row[0], row[7]]  # reference, title
            for item in items:
                costs.append([*which, *item])
            for decision in decisions:
                decided.append([*which, *decision])
            if report is not None:
                reports.append([*which, *report])
        for sheet, rows in zip(self.sheets, (listed, costs, decided, reports), strict=True):
            sheet.extend(rows)

    def close(self, questions: list[Table]) -> bytes:
        """The file's bytes; the questions to the office (what the programme's people need, and
        the library lacks) are its last sheets."""
        for question in questions:
            self.book.sheet(question.name, question.header).extend(question.rows)
        return self.book.close()


class ExportCsv:
    """The CSV, written as the applications come: one row per cost item (an application without
    any: one row), `;`-separated, UTF-8 with BOM, as German spreadsheets open it."""

    def __init__(self, layout: Layout) -> None:
        self.table = CsvTable(layout.csv_header)
        self.no_item: list[Cell] = [None] * layout.item_cells
        self.no_report: list[Cell] = [None] * layout.report_cells

    def write(self, applications: Sequence[Cells]) -> None:
        table = self.table
        shared, items = [], []
        for row, costs, decisions, report in applications:
            history = " | ".join(f"{cell(when)} {kind}" for when, kind, *_ in decisions)
            shared.append([*row, history, *(report or self.no_report)])
            items.append(costs or [self.no_item])
        # The application's cells made once, on each of its cost items' rows.
        made = iter(table.parts([item for costs in items for item in costs]))
        table.extend_parts(
            (application, next(made))
            for application, costs in zip(table.parts(shared), items, strict=True)
            for _ in costs
        )

    def close(self, questions: list[Table]) -> bytes:
        """The file's bytes (the questions to the office are the workbook's alone)."""
        return self.table.close()


ExportFile = ExportWorkbook | ExportCsv
