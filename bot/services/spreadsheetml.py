"""The parts of an .xlsx package around its sheets' rows (`bot/services/xlsx.py`): the start and
end of a sheet, the workbook, its styles, relationships and content types, as SpreadsheetML
(ECMA-376) that Excel, LibreOffice and openpyxl read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, cast


def escape(text: str) -> str:
    """As `xml.sax.saxutils.escape`, which imports urllib.request, http.client and ssl (20 ms of
    the export's writer process starting, `bot/services/grants/export/process.py`)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """As `xml.sax.saxutils.quoteattr`: an attribute's value, escaped and quoted."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


# A row's XML from its number and its cells' values.
RowWriter = Callable[[str, Sequence[Any]], str]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Number formats that every locale's Excel and LibreOffice read alike: ISO dates, and euros with
# the separators of whoever opens the file.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = '#,##0.00 "€"'
EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # day 0 of Excel's serial dates (1900 system)
DIMENSION_WIDTH = 40  # room for the widest <dimension ref="A1:XFD1048576"/>
# The cells' styles, by their place in styles.xml's cellXfs.
BOLD, DAY, MOMENT, MONEY, QUOTED = "1", "2", "3", "4", "5"
STYLES = f"""{XML}<styleSheet xmlns="{MAIN}">\
<numFmts count="3"><numFmt numFmtId="164" formatCode={quoteattr(DATE_FORMAT)}/>\
<numFmt numFmtId="165" formatCode={quoteattr(DATETIME_FORMAT)}/>\
<numFmt numFmtId="166" formatCode={quoteattr(MONEY_FORMAT)}/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
WORKSHEET = f'{XML}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
DIMENSION_AT = len(WORKSHEET)  # in bytes too: all ASCII
ROOT_RELATIONSHIPS = f"""{XML}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">\
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>"""


def column_letter(column: int) -> str:
    """A column's letters from its index from 0: A … Z, AA …"""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_writer(kinds: Sequence[type], letters: Sequence[str]) -> RowWriter:
    """A row of cells of these kinds (str, int, float, `Money`, date, datetime or None), from
    its number and its values, text needing no escape (`bot/services/xlsx.py`): one f-string
    compiled for them, which takes half the time of a `str.format` template (parsed at every
    row). Only column letters and style numbers go into its source."""
    cells = []
    for at, (kind, letter) in enumerate(zip(kinds, letters, strict=False)):
        start, value = f'<c r="{letter}{{r}}"', f"v[{at}]"
        if kind is str:
            text = f'<t xml:space="preserve">{{{value}}}</t>'
            cells.append(f'{start} t="inlineStr"><is>{text}</is></c>')
        elif kind is int:
            cells.append(f"{start}><v>{{{value}}}</v></c>")
        elif kind is float:
            cells.append(f"{start}><v>{{{value}!r}}</v></c>")
        elif kind is date:
            days = f"{value}.toordinal() - {EXCEL_EPOCH}"
            cells.append(f'{start} s="{DAY}"><v>{{{days}}}</v></c>')
        elif kind is datetime:
            cells.append(f'{start} s="{MOMENT}"><v>{{serial({value})!r}}</v></c>')
        elif kind is not type(None):  # Money
            cells.append(f'{start} s="{MONEY}"><v>{{{value}.cents / 100!r}}</v></c>')
    source = 'lambda r, v: f\'<row r="{r}">' + "".join(cells) + "</row>'"
    return cast(RowWriter, eval(source, {"serial": serial}))


def serial(value: datetime) -> float:
    """Excel's serial number of a wall-clock time (the caller made it local)."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return value.toordinal() - EXCEL_EPOCH + seconds / 86400


def sheet_start(widths: Sequence[float], *, right_to_left: bool, first: bool) -> str:
    """A sheet up to its rows: the view (from the right for readers of Arabic and Persian,
    the header row frozen) and the columns' widths."""
    view = (' rightToLeft="1"' if right_to_left else "") + (' tabSelected="1"' if first else "")
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in enumerate(widths, start=1)
    )
    return (
        WORKSHEET + " " * DIMENSION_WIDTH + f'<sheetViews><sheetView{view} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{columns}</cols>" if columns else "")
        + "<sheetData>"
    )


def dimension(columns: int, rows: int) -> str:
    """The sheet's extent, which readers take as its size, in the place `sheet_start` keeps for
    it (the rows are counted once written)."""
    extent = f"A1:{column_letter(max(columns, 1) - 1)}{rows + 1}"
    return f'<dimension ref="{extent}"/>'.ljust(DIMENSION_WIDTH)


def _filtered(columns: int, rows: int) -> str:
    return f"A1:{column_letter(columns - 1)}{rows + 1}"


def sheet_end(columns: int, rows: int) -> str:
    """After the rows: the header's filter over all of them."""
    end = "</sheetData>"
    if columns:
        end += f'<autoFilter ref="{_filtered(columns, rows)}"/>'
    return end + (
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )


def package_parts(sheets: Sequence[tuple[str, int, int]]) -> Iterator[tuple[str, str]]:
    """Every part but the sheets' own, for sheets given as (name, columns, rows)."""
    count = len(sheets)
    # The content types first, where readers that guess a file's kind look.
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{SPREADSHEET}.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    yield (
        "[Content_Types].xml",
        f'{XML}<Types xmlns="{CONTENT_TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET}.styles+xml"/>'
        f"{overrides}</Types>",
    )
    listed = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _columns, _rows) in enumerate(sheets, start=1)
    )
    # Excel keeps a filter's range under this hidden name too, and repairs a file without it.
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        + escape("'" + name.replace("'", "''") + f"'!$A$1:${column_letter(columns - 1)}${rows + 1}")
        + "</definedName>"
        for n, (name, columns, rows) in enumerate(sheets)
        if columns
    )
    yield (
        "xl/workbook.xml",
        f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{listed}</sheets>"
        + (f"<definedNames>{filters}</definedNames>" if filters else "")
        + "</workbook>",
    )
    relationships = "".join(
        f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    yield (
        "xl/_rels/workbook.xml.rels",
        f'{XML}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{relationships}'
        f'<Relationship Id="rId{count + 1}" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>",
    )
    yield "xl/styles.xml", STYLES
    yield "_rels/.rels", ROOT_RELATIONSHIPS
