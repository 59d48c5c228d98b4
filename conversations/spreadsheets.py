"""The spreadsheets staff receive: a workbook for people and a CSV for other programs, both in
the staff member's language."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.messages import Document, MadeDocument

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
# What makes the export of the applications (`bot/services/grants/export.py`).
APPLICATIONS_WORKBOOK = "applications.xlsx"
APPLICATIONS_CSV = "applications.csv"


@dataclass(frozen=True)
class Spreadsheet:
    workbook: bytes  # .xlsx: typed cells, one sheet per table
    csv: bytes  # one table, `;`-separated, UTF-8 with BOM


def workbook_document(stem: str, spreadsheet: Spreadsheet) -> Document:
    return Document(name=f"{stem}.xlsx", mime_type=XLSX, content=spreadsheet.workbook)


def csv_document(stem: str, spreadsheet: Spreadsheet) -> Document:
    return Document(name=f"{stem}.csv", mime_type=CSV, content=spreadsheet.csv)


def applications_documents(stem: str, locale: str) -> tuple[MadeDocument, MadeDocument]:
    """The export's workbook and CSV, made when they are sent, in the reader's language."""
    return (
        MadeDocument(f"{stem}.xlsx", XLSX, APPLICATIONS_WORKBOOK, locale),
        MadeDocument(f"{stem}.csv", CSV, APPLICATIONS_CSV, locale),
    )
