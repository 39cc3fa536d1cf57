"""Rejection files of the file imports (employees by the employer, members by the back
office): the rows as uploaded plus the nature of the error, cells that a spreadsheet
would run as formulas kept as text."""

import datetime as dt
import io

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
