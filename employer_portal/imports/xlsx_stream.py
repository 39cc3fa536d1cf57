"""Reading the first sheet of a large xlsx row by row, in bounded memory.

python-calamine builds the whole sheet in memory before giving its first row (about
1.4 KB per row of the import template: 245 MB for a 20 MB file of 175,000 rows), so
large sheets are parsed here with the standard library's C XML parser, one ``<row>``
at a time. The values are those calamine gives, so that both readers feed the same
checks: text, ``float`` for numbers, ``datetime.date`` / ``datetime.datetime`` for
numbers in a date format, ``bool``, ``""`` for an empty cell.

Only the archive's own parts are read (their sizes were checked by ``check_zip``).
The standard parser is safe here (hence the ``noqa: S314``): ElementTree never fetches
external entities, and the expat of Python 3.11 (2.4.1 and newer) stops billion-laughs
and quadratic-blowup expansions. defusedxml's parser would be the pure-Python one,
several times slower on a 175,000-row sheet.
"""

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Built-in number formats that are dates or times (ECMA-376 §18.8.30).
_DATE_FORMAT_IDS = {*range(14, 23), 45, 46, 47}
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_COLUMN = re.compile(r"[A-Z]+")


def first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (what calamine's sheet 0 is)."""
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        raise ValueError("no sheet")
    rel_id = sheet.get(f"{_REL}id")
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels.iter(f"{_PACKAGE_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target[1:]
            return posixpath.normpath(posixpath.join("xl", target))
    raise ValueError("sheet relationship not found")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as part:
        for _event, element in ET.iterparse(part):  # noqa: S314
            if element.tag == f"{_MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


def _text(element) -> str:
    """A string item's text: its runs, without the phonetic guides (``rPh``)."""
    direct = element.find(f"{_MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(run.findtext(f"{_MAIN}t") or "" for run in element.iter(f"{_MAIN}r"))


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format is a date or a time."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = ET.fromstring(archive.read("xl/styles.xml"))  # noqa: S314
    date_formats = set(_DATE_FORMAT_IDS)
    for number_format in styles.iter(f"{_MAIN}numFmt"):
        code = _QUOTED_OR_BRACKETED.sub("", number_format.get("formatCode", "")).lower()
        if any(token in code for token in "dmyhs"):
            date_formats.add(int(number_format.get("numFmtId", "-1")))
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    if cell_formats is None:
        return set()
    return {
        index
        for index, xf in enumerate(cell_formats.findall(f"{_MAIN}xf"))
        if int(xf.get("numFmtId", "0")) in date_formats
    }


def _column_index(reference: str) -> int:
    letters = _COLUMN.match(reference)
    index = 0
    for letter in letters.group() if letters else "":
        index = index * 26 + ord(letter) - 64
    return index - 1


def _as_date(serial: float):
    moment = _EXCEL_EPOCH + dt.timedelta(days=serial)
    if moment.time() == dt.time(0):
        return moment.date()
    return moment


def iter_sheet_rows(archive: zipfile.ZipFile) -> Iterator[list]:
    """The rows of the first sheet, in order, as lists of cell values; missing rows
    and cells come back empty (``[]`` for a row, ``""`` for a cell)."""
    strings = _shared_strings(archive)
    date_styles = _date_styles(archive)
    row_tag, cell_tag = f"{_MAIN}row", f"{_MAIN}c"
    value_tag, inline_tag = f"{_MAIN}v", f"{_MAIN}is"
    expected_row, started, sheet_data = 1, False, None
    with archive.open(first_sheet_path(archive)) as part:
        for event, element in ET.iterparse(part, events=("start", "end")):  # noqa: S314
            if event == "start":
                if element.tag == f"{_MAIN}sheetData":
                    sheet_data = element
                continue
            if element.tag != row_tag:
                continue
            number = int(element.get("r", expected_row))
            if started:
                # Like calamine, empty rows inside the sheet come back empty...
                while expected_row < number:
                    yield []
                    expected_row += 1
            values: list = []
            for cell in element.iter(cell_tag):
                reference = cell.get("r")
                if reference:
                    position = _column_index(reference)
                    if position > len(values):
                        values.extend([""] * (position - len(values)))
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    values.append(_text(inline) if inline is not None else "")
                    continue
                raw = cell.findtext(value_tag)
                if not raw:  # no cached value (a formula never computed)
                    values.append("")
                elif kind == "s":
                    values.append(strings[int(raw)])
                elif kind == "b":
                    values.append(raw == "1")
                elif kind in {"str", "e", "d"}:
                    values.append(raw)
                else:
                    number_value = float(raw)
                    if int(cell.get("s", "0")) in date_styles:
                        values.append(_as_date(number_value))
                    else:
                        values.append(number_value)
            if sheet_data is not None:
                sheet_data.clear()  # the rows read so far are not kept
            expected_row = number + 1
            # ...but the sheet starts at its first row with a value.
            if started or any(v != "" for v in values):
                started = True
                yield values
