"""Our SpreadsheetML writer, read back with openpyxl: typed cells and their styles, the frozen
header with its filter, right-to-left sheets, Excel's sheet names, text that looks like a formula
or holds what XML cannot, and any text at all coming back as it went in."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.services.spreadsheet import Money, Table
from bot.services.xlsx import MEASURED_ROWS, WRITTEN_ROWS, Book, workbook

EXCEL_ESCAPE = re.compile("_x([0-9A-F]{4})_")
NOT_IN_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def as_excel_reads(text: str) -> str:
    """What Excel shows for a stored string: its _xHHHH_ escapes read as characters."""
    return EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def test_cells_keep_their_kinds_and_styles() -> None:
    content = workbook(
        [
            Table(
                "Tabelle",
                ["Text", "Zahl", "Bruch", "Betrag", "Tag", "Zeitpunkt", "Leer"],
                [
                    ["Saal", 3, 2.5, Money(-1250), date(2026, 2, 28), datetime(2026, 3, 1, 9, 5)],
                    ["", -7, 0.0, Money(0), date(1999, 12, 31), datetime(2026, 3, 1, 23, 59, 30)],
                    [None, True, None, None, None, None, "zuletzt"],
                ],
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert all(cell.font.b for cell in sheet[1])
    text, number, fraction, amount, day, moment, empty = sheet[2]
    assert (text.value, text.data_type, text.font.b) == ("Saal", "s", False)
    assert (number.value, number.data_type) == (3, "n")
    assert fraction.value == 2.5
    assert amount.value == -12.5 and amount.number_format == '#,##0.00 "€"'
    assert day.value == datetime(2026, 2, 28) and day.number_format == "yyyy-mm-dd"
    assert moment.value == datetime(2026, 3, 1, 9, 5) and moment.number_format == "yyyy-mm-dd hh:mm"
    assert empty.value is None
    assert [cell.value for cell in sheet[3]][:4] == [None, -7, 0, 0]
    assert sheet["F3"].value == datetime(2026, 3, 1, 23, 59, 30)
    assert sheet["B4"].value == 1 and sheet["A4"].value is None and sheet["G4"].value == "zuletzt"
    assert sheet.auto_filter.ref == "A1:G4" and sheet.freeze_panes == "A2"
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert "'Tabelle'!$A$1:$G$4</definedName>" in package.read("xl/workbook.xml").decode()


def test_a_long_sheet_streams_its_rows_and_measures_its_first_ones() -> None:
    book = Book()
    first, second = book.sheet("Eins", ["Nummer", "Text"]), book.sheet("Zwei", ["Nummer"])
    rows = MEASURED_ROWS + WRITTEN_ROWS + 17
    for number in range(rows):  # the sheets written by turns
        first.append([number, "x" * (number // 100)])
        second.append([-number])
    content = book.close()
    sheets = load_workbook(io.BytesIO(content), read_only=True).worksheets
    assert [sheet.max_row for sheet in sheets] == [rows + 1, rows + 1]
    assert [row[1] for row in sheets[0].iter_rows(min_row=rows + 1, values_only=True)] == [
        "x" * ((rows - 1) // 100)
    ]
    assert list(sheets[1].iter_rows(min_row=rows + 1, values_only=True)) == [(-(rows - 1),)]
    widths = load_workbook(io.BytesIO(content)).worksheets[0].column_dimensions
    assert widths["B"].width == MEASURED_ROWS // 100 - 1 + 2  # the first rows' widest text
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert package.namelist()[0] == "[Content_Types].xml"
        assert package.testzip() is None


def test_sheet_names_follow_excels_rules() -> None:
    book = Book()
    names = [
        "Anträge: 2026/27",
        "a" * 40,
        "A" * 40,
        "'Zitat'",
        "[]",
        "Kosten",
        "KOSTEN",
        "R&D <1>\x07",
    ]
    for name in names:
        book.sheet(name, ["x"])
    names = load_workbook(io.BytesIO(book.close())).sheetnames
    assert names == [
        "Anträge  2026 27",
        "a" * 31,
        "A" * 27 + " 3",
        "Zitat",
        "5",
        "Kosten",
        "KOSTEN 7",
        "R&D <1>",
    ]


def test_formulas_stay_text_and_what_xml_cannot_hold_is_escaped_or_left_out() -> None:
    texts = ["=1+1", "+49 170", "-5", "@SUM(A1)", "\tx", "a & <b>", "Alarm\x07\r\n", "x\ufffe"]
    content = workbook([Table("Text", ["=Kopf"], [[text] for text in texts])])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].quotePrefix and sheet["A1"].value == "=Kopf"
    cells = [sheet.cell(row, 1) for row in range(2, len(texts) + 2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.quotePrefix for cell in cells] == [True] * 5 + [False] * 3
    assert [cell.value for cell in cells][4:] == ["\tx", "a & <b>", "Alarm_x0007__x000D_\n", "x"]


def test_right_to_left_sheets_in_arabic_and_persian() -> None:
    arabic, persian = "طلبات التمويل", "درخواست‌ها"
    content = workbook(
        [Table(arabic, ["المرجع"], [["مقهى اللغة"]]), Table(persian, ["عنوان"], [["کافه زبان"]])],
        right_to_left=True,
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [arabic, persian]
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    assert book.worksheets[0]["A2"].value == "مقهى اللغة"
    assert book.worksheets[1]["A2"].value == "کافه زبان"
    assert not load_workbook(
        io.BytesIO(workbook([Table("a", ["b"], [])]))
    ).active.sheet_view.rightToLeft


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_comes_back_as_excel_reads_it(texts: list[str]) -> None:
    content = workbook([Table("Text", ["Text"], [[text] for text in texts])])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    read = [sheet.cell(row, 1).value for row in range(2, len(texts) + 2)]
    assert [as_excel_reads(value or "") for value in read] == [
        NOT_IN_XML.sub("", text) for text in texts
    ]


CELLS = st.one_of(
    st.text(),
    st.sampled_from(["", "=1+1", "a & b", "_x0041_", "Zeile\nzwei", "\x07"]),
    st.none(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.builds(Money, st.integers(-(10**8), 10**8)),
    st.dates(),
    st.datetimes(),
)


def sheet_parts(book: Book) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(book.close())) as package:
        return [package.read(name) for name in sorted(package.namelist())]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=12), st.data())
def test_rows_written_in_batches_are_the_rows_written_one_by_one(
    rows: list[list[object]], data: st.DataObject
) -> None:
    """A batch's text is looked at once; a row in it that needs an escape, is empty or may be a
    formula must still be written as alone (the export writes its rows in batches)."""
    cuts = sorted(data.draw(st.sets(st.integers(1, len(rows)), max_size=3)) | {0, len(rows)})
    one_by_one, in_batches = Book(), Book()
    alone = one_by_one.sheet("Tabelle", ["A", "B", "C", "D", "E"])
    for row in rows:
        alone.append(row)  # type: ignore[arg-type]
    batched = in_batches.sheet("Tabelle", ["A", "B", "C", "D", "E"])
    for start, end in itertools.pairwise(cuts):
        batched.extend(rows[start:end])  # type: ignore[arg-type]
    assert sheet_parts(in_batches) == sheet_parts(one_by_one)
