"""Item 9 of issue 12: Excel's « Texte Unicode » export (UTF-16 with its BOM,
tab-separated) is accepted like the other CSV files."""

import pytest

from employer_portal.imports.files import read_upload, sniff_format
from enrolment.models import Employee
from tests.employer_portal.test_import import csv_bytes, setup, upload, values  # noqa: F401

pytestmark = pytest.mark.django_db


def unicode_text(rows) -> bytes:
    data = csv_bytes(rows, delimiter="\t", encoding="utf-16")
    assert data.startswith(b"\xff\xfe")  # what Excel writes
    return data


def test_unicode_text_is_read_as_a_csv():
    import io

    data = unicode_text([values(1, last_name="Lefèvre")])
    assert sniff_format(data[:8192]) == "csv"
    parsed = read_upload(io.BytesIO(data), size=len(data))
    assert parsed.format == "csv"
    assert parsed.rows[0][1][1] == "Lefèvre"


def test_unicode_text_import_creates_the_employees(client, setup):  # noqa: F811
    contract, group, _user = setup
    upload(client, contract, group, unicode_text([values(1), values(2)]), name="salaries.txt")
    assert Employee.objects.filter(company=contract.company).count() == 2
