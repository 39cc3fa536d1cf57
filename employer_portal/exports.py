"""Export of « Mes collaborateurs » as xlsx and csv, safe to open in a spreadsheet."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from enrolment.enums import EMPLOYEE_STATUS_OF_ENROLMENT
from enrolment.models import MEMBER_NUMBER_OFFSET

HEADERS = [
    "N° d'adhérent",
    "Nom",
    "Prénom",
    "Matricule",
    "Statut",
    "Date d'effet",
    "Date de fin",
    "N° de contrat",
    "Groupe d'assurés",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def export_rows(enrolments):
    """One row per enrolment, read with ``values_list`` in chunks: no model instances,
    constant memory whatever the company size."""
    rows = enrolments.values_list(
        "pk",
        "employee__last_name",
        "employee__first_name",
        "employee__payroll_id",
        "status",
        "effective_date",
        "end_date",
        "contract__number",
        "group__name",
    )
    for pk, last, first, payroll, status, effective, end, contract, group in rows.iterator(
        chunk_size=2000
    ):
        yield [
            str(MEMBER_NUMBER_OFFSET + pk),
            last,
            first,
            payroll,
            EMPLOYEE_STATUS_OF_ENROLMENT[status].label,
            _date(effective),
            _date(end),
            contract,
            group,
        ]


def export_csv(enrolments) -> bytes:
    """UTF-8 with BOM and « ; »: what French Excel opens correctly by double-click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in export_rows(enrolments):
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(enrolments) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Collaborateurs")
    for index, width in enumerate([14, 24, 20, 14, 22, 12, 12, 14, 20]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export_rows(enrolments):
        # Values are typed as strings so nothing is evaluated; the prefix also protects
        # users who copy the cells elsewhere.
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
