"""Rejection files of the file imports (employees by the employer, members by the back
office): the rows as uploaded plus the nature of the error, cells that a spreadsheet
would run as formulas kept as text. As xlsx (openpyxl), or as OpenDocument (.ods) for
a file that came from LibreOffice."""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ERROR_HEADER = "Nature de l'erreur"


def neutralise(value):
    """A cell that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def rejection_xlsx(rows: list[tuple[list, str]], *, headers: list[str], sheet_title: str) -> bytes:
    """``headers`` plus « Nature de l'erreur »; values as uploaded, dates as JJ/MM/AAAA."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append([*headers, ERROR_HEADER])
    for values, error in rows:
        cells = []
        for value in values:
            if isinstance(value, (dt.date, dt.datetime)):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            else:
                cells.append(neutralise(value))
        cells.append(neutralise(error))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# OpenDocument spreadsheet (.ods), written as XML text in a stream: odfpy builds the
# whole document in memory and took 208 s for 10,000 rows here; this writes them in
# well under a second. The package holds what ODF 1.2 requires (an uncompressed
# ``mimetype`` first, the manifest, content and styles); LibreOffice and calamine
# open it.
# ---------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'office:version="1.2"'
)
_ODS_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" \
manifest:media-type="{ODS_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
_ODS_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_ODS_NAMESPACES}/>\n'
)
# « date » cells shown as JJ/MM/AAAA; « heading » in bold.
_ODS_AUTOMATIC_STYLES = (
    "<office:automatic-styles>"
    '<number:date-style style:name="jjmmaaaa">'
    '<number:day number:style="long"/><number:text>/</number:text>'
    '<number:month number:style="long"/><number:text>/</number:text>'
    '<number:year number:style="long"/></number:date-style>'
    '<style:style style:name="date" style:family="table-cell" '
    'style:data-style-name="jjmmaaaa"/>'
    '<style:style style:name="heading" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles>"
)
# Characters that XML 1.0 cannot carry (control characters other than tab and line
# breaks): dropped rather than making the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _ods_cell(value, *, style: str = "") -> str:
    styled = f' table:style-name="{style}"' if style else ""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        text = "VRAI" if value else "FAUX"
        return (
            f'<table:table-cell office:value-type="boolean" '
            f'office:boolean-value="{str(value).lower()}"><text:p>{text}</text:p>'
            "</table:table-cell>"
        )
    if isinstance(value, (dt.date, dt.datetime)):
        return (
            f'<table:table-cell table:style-name="date" office:value-type="date" '
            f'office:date-value="{value.isoformat()}"><text:p>{value:%d/%m/%Y}</text:p>'
            "</table:table-cell>"
        )
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value!r}</text:p></table:table-cell>"
        )
    lines = _NOT_XML.sub("", str(value)).split("\n")
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in lines)
    return f'<table:table-cell{styled} office:value-type="string">{paragraphs}</table:table-cell>'


def rejection_ods(
    rows: Iterable[tuple[list, str]], *, headers: list[str], sheet_title: str
) -> bytes:
    """:func:`rejection_xlsx` as an OpenDocument spreadsheet: same columns, values as
    uploaded (dates as date cells shown JJ/MM/AAAA), formulas kept as text."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        package.writestr("styles.xml", _ODS_STYLES)
        with package.open("content.xml", "w") as content:
            content.write(
                f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
                f"{_ODS_NAMESPACES}>{_ODS_AUTOMATIC_STYLES}<office:body><office:spreadsheet>"
                f"<table:table table:name={quoteattr(_NOT_XML.sub('', sheet_title))}>".encode()
            )
            heading = "".join(_ods_cell(h, style="heading") for h in [*headers, ERROR_HEADER])
            content.write(f"<table:table-row>{heading}</table:table-row>".encode())
            for values, error in rows:
                cells = "".join(_ods_cell(neutralise(v)) for v in [*values, error])
                content.write(f"<table:table-row>{cells}</table:table-row>".encode())
            content.write(b"</table:table></office:spreadsheet></office:body>")
            content.write(b"</office:document-content>")
    return buffer.getvalue()
