"""Export of « Mes collaborateurs » as xlsx and csv, safe to open in a spreadsheet."""

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from enrolment.enums import EMPLOYEE_STATUS_OF_ENROLMENT
from enrolment.models import member_number_of

HEADERS = [
    "N° d'adhérent",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Matricule",
    "E-mail",
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


def _csv_value(value):
    """CSV has no types: dates are written the French way."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def export_rows(enrolments):
    """One row per enrolment, read with ``values_list`` in chunks: no model instances,
    constant memory whatever the company size. Dates stay dates (None when absent)."""
    rows = enrolments.values_list(
        "pk",
        "imported_member_number",
        "employee__last_name",
        "employee__first_name",
        "employee__birth_date",
        "employee__payroll_id",
        "employee__email",
        "status",
        "effective_date",
        "end_date",
        "contract__number",
        "group__name",
    )
    for (
        pk,
        imported,
        last,
        first,
        birth,
        payroll,
        email,
        status,
        effective,
        end,
        contract,
        group,
    ) in rows.iterator(chunk_size=2000):
        yield [
            member_number_of(pk, imported),
            last,
            first,
            birth,
            payroll,
            email,
            EMPLOYEE_STATUS_OF_ENROLMENT[status].label,
            effective,
            end,
            contract,
            group,
        ]


def export_csv(enrolments) -> bytes:
    """UTF-8 with BOM and « ; »: what French Excel opens correctly by double-click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in export_rows(enrolments):
        writer.writerow([neutralise(_csv_value(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value):
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return neutralise(value)


def export_xlsx(enrolments) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Collaborateurs")
    for index, width in enumerate([14, 24, 20, 12, 14, 30, 22, 12, 12, 14, 20]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export_rows(enrolments):
        # Text is typed as strings so nothing is evaluated; the prefix also protects
        # users who copy the cells elsewhere. Dates are real date cells.
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
