"""Issue 12 §1: the employer gives the employee's mobile (« Téléphone portable ») on the
pre-affiliation form or in the import file; the signature code will go to it. Files made
from the template before the column existed are still accepted."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from employer_portal.imports.files import (
    ERROR_HEADER,
    HEADERS,
    FileRefused,
    build_template_xlsx,
    read_upload,
)
from employer_portal.imports.service import import_job_create, import_job_run
from employer_portal.models import ImportJob, ImportStatus
from enrolment.enums import PhoneSource
from enrolment.models import Employee, Enrolment
from enrolment.services.preaffiliation.fields import PHONE_MESSAGE
from tests.employer_portal.test_import import csv_bytes, upload, values, xlsx_bytes
from tests.enrolment.factories import make_nir
from tests.mutuelle.factories import ContractFactory, InsuredGroupFactory

from .test_preaffiliation_form import employee_data, text, url

pytestmark = pytest.mark.django_db
PHONE = HEADERS.index("Téléphone portable")
# The template before the column: what correspondents' existing files hold.
OLD_HEADERS = [h for h in HEADERS if h != "Téléphone portable"]
OLD_ODS = Path(__file__).parent / "fixtures" / "salaries_libreoffice.ods"
POSTAL = {"address_street": "RUE DES LILAS", "city": "PARIS"}  # no address page


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup(hr, access):
    """A contract whose dates suit the import rows (``values``), the client logged in."""
    contract = ContractFactory(company=access.company, start_date=dt.date(2024, 1, 1))
    return contract, InsuredGroupFactory(contract=contract, name="Cadres"), access.user


def old(row: list) -> list:
    return row[:PHONE] + row[PHONE + 1 :]


# ---- The form ---------------------------------------------------------------------------


def test_form_field_is_a_tel_input_with_its_help(hr, company, group):
    page = text(hr.get(url("preaffiliation_form", company)))
    assert '<label for="id_phone">Téléphone portable</label>' in page
    assert 'type="tel"' in page and 'name="phone"' in page
    field = page[page.index('name="phone"') - 200 : page.index('name="phone"') + 200]
    assert 'autocomplete="off"' in field
    assert "le code de signature de son adhésion lui sera envoyé par SMS" in page
    assert "à l'étape « Mon profil », après confirmation par un code" in page


def test_form_mobile_is_stored_in_e164_from_the_employer(
    hr, company, group, django_capture_on_commit_callbacks
):
    data = employee_data(group, phone="06.12.34.56.78", **POSTAL)
    response = hr.post(url("preaffiliation_form", company), data)
    assert response.url == url("preaffiliation_review", company)
    review = text(hr.get(response.url))
    assert "<dt>Téléphone portable</dt><dd>06 12 34 56 78</dd>" in review
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(url("preaffiliation_submit", company))
    employee = Employee.objects.get()
    assert str(employee.phone) == "+33612345678"
    assert employee.phone_source == PhoneSource.EMPLOYER
    assert employee.phone_confirmed_at is None
    # Modifying the draft shows the number as typed.
    assert Enrolment.objects.get().employee == employee


def test_form_without_mobile_leaves_no_source(
    hr, company, group, django_capture_on_commit_callbacks
):
    hr.post(url("preaffiliation_form", company), employee_data(group, **POSTAL))
    review = text(hr.get(url("preaffiliation_review", company)))
    assert "<dt>Téléphone portable</dt><dd>—</dd>" in review
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(url("preaffiliation_submit", company))
    employee = Employee.objects.get()
    assert employee.phone == "" and employee.phone_source == ""


@pytest.mark.parametrize("phone", ["01 45 00 00 00", "+32 470 12 34 56", "06 12 34 56"])
def test_form_refuses_a_landline_or_foreign_number_with_the_other_errors(hr, company, group, phone):
    data = employee_data(group, phone=phone, nir="185057512345678", email="x@", **POSTAL)
    page = text(hr.post(url("preaffiliation_form", company), data))
    # Every error in one pass: the phone's, the NIR's, the e-mail's, next to their field
    # and in the summary linking to it.
    assert page.count(PHONE_MESSAGE) == 2
    assert 'href="#id_phone"' in page
    assert "clé de contrôle" in page and "L'adresse e-mail est invalide" in page
    assert f'value="{phone}"' in page  # typed input kept
    assert not hr.session.get(f"preaffiliation:{company.pk}", {}).get("drafts")
    assert not Employee.objects.exists()


def test_employee_page_shows_the_mobile_in_french(hr, company, make_enrolment):
    with_phone = make_enrolment(employee__phone="+33612345678")
    page = text(hr.get(url("employee_detail", company, with_phone.pk)))
    assert "<dt>Téléphone portable</dt><dd>06 12 34 56 78</dd>" in page
    without = make_enrolment(employee__phone="")
    page = text(hr.get(url("employee_detail", company, without.pk)))
    assert "<dt>Téléphone portable</dt><dd>—</dd>" in page


# ---- The import file ---------------------------------------------------------------------


def test_template_has_the_column_after_email_as_text_and_explains_it():
    assert HEADERS[PHONE - 1] == "Email" and PHONE == 7
    workbook = load_workbook(io.BytesIO(build_template_xlsx()))
    sheet = workbook["Salariés"]
    assert sheet.cell(row=1, column=PHONE + 1).value == "Téléphone portable"
    assert sheet.cell(row=2, column=PHONE + 1).number_format == "@"  # keeps the 0
    help_text = " ".join(row[0] for row in workbook["Mode d'emploi"].values if row[0])
    assert "Téléphone portable (facultatif)" in help_text
    assert "code de signature" in help_text
    assert "sans cette colonne, reste accepté" in help_text


def test_import_page_tells_about_the_column(client, setup):
    contract, _group, _user = setup
    page = text(client.get(reverse("employer_portal:import_start", args=[contract.company.pk])))
    assert "La colonne facultative « Téléphone portable » reçoit le mobile du salarié" in page
    assert "un fichier fait avec l'ancien modèle, sans cette colonne, reste accepté" in page


def test_new_template_with_mobiles_including_a_number_cell(client, setup):
    contract, group, _user = setup
    rows = [
        values(1, phone="06 12 34 56 78"),
        values(2, phone=612345678),  # Excel dropped the leading 0 of a number cell
        values(3, phone="+33 7 81 22 33 44"),
        values(4),
    ]
    response = upload(client, contract, group, xlsx_bytes(rows))
    assert "4 salariés validés" in text(response)
    stored = dict(Employee.objects.values_list("payroll_id", "phone"))
    assert stored == {
        "M00001": "+33612345678",
        "M00002": "+33612345678",
        "M00003": "+33781223344",
        "M00004": "",
    }
    sources = dict(Employee.objects.values_list("payroll_id", "phone_source"))
    assert sources["M00001"] == sources["M00003"] == PhoneSource.EMPLOYER
    assert sources["M00004"] == ""


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_old_template_without_the_column_is_still_accepted(client, setup, fmt):
    contract, group, _user = setup
    rows = [old(values(1)), old(values(2, email="", **POSTAL, postal_code="75011"))]
    content = (
        xlsx_bytes(rows, headers=OLD_HEADERS)
        if fmt == "xlsx"
        else csv_bytes(rows, headers=OLD_HEADERS)
    )
    response = upload(client, contract, group, content, name=f"ancien.{fmt}")
    assert "2 salariés validés" in text(response)
    assert ImportJob.objects.get().status == ImportStatus.DONE
    assert set(Employee.objects.values_list("phone", "phone_source")) == {("", "")}
    # Its cells kept their meaning: the street is not read as a phone number.
    assert Employee.objects.get(payroll_id="M00002").address_street == "RUE DES LILAS"


def test_old_libreoffice_file_is_read_and_its_rejection_file_has_the_column(client, setup):
    """The LibreOffice fixture was saved from the template before the column."""
    contract, group, _user = setup
    parsed = read_upload(io.BytesIO(OLD_ODS.read_bytes()), size=OLD_ODS.stat().st_size)
    assert [h for h in parsed.header if h] == OLD_HEADERS
    assert all(len(values) == len(HEADERS) and values[PHONE] == "" for _, values in parsed.rows)
    response = upload(client, contract, group, OLD_ODS.read_bytes(), name="salaries.ods")
    assert "2 salariés validés" in text(response)
    job = ImportJob.objects.get()
    rejection = client.get(
        reverse("employer_portal:import_rejection", args=[contract.company.pk, job.pk])
    )
    content = b"".join(rejection.streaming_content)
    table = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert table[0] == [*HEADERS, ERROR_HEADER]
    assert len(table[1]) == len(HEADERS) + 1
    assert table[1][1] == "Martin" and table[1][PHONE] == ""
    assert "clé de contrôle" in table[1][-1]


def test_bad_mobile_goes_to_the_rejection_file_with_its_message(client, setup):
    contract, group, _user = setup
    rows = [values(1, phone="01 45 00 00 00"), values(2, phone="06 12 34 56 78")]
    response = upload(client, contract, group, xlsx_bytes(rows))
    page = text(response)
    assert "1 salarié validé" in page and "1 salarié en erreur" in page
    assert PHONE_MESSAGE in page
    job = ImportJob.objects.get()
    with job.rejection_file.open("rb") as handle:
        table = list(load_workbook(handle).active.values)
    assert list(table[0]) == [*HEADERS, ERROR_HEADER]
    assert table[1][PHONE] == "01 45 00 00 00" and table[1][-1] == PHONE_MESSAGE
    assert str(Employee.objects.get().phone) == "+33612345678"


def test_reordered_old_header_names_the_right_position():
    headers = list(OLD_HEADERS)
    headers[10], headers[11] = headers[11], headers[10]
    content = csv_bytes([], headers=headers)
    with pytest.raises(FileRefused, match="la colonne 11 devrait être « Libellé de la voie »"):
        read_upload(io.BytesIO(content), size=len(content))


def test_a_missing_required_column_is_still_refused_in_an_old_file():
    content = csv_bytes([old(values(1))[:-1]], headers=OLD_HEADERS[:-1])
    with pytest.raises(
        FileRefused, match=r"^Colonnes manquantes : « Date d'effet du contrat\* »\. "
    ):
        read_upload(io.BytesIO(content), size=len(content))


def _import_queries(contract, group, user, content: bytes) -> int:
    from django.core.files.base import ContentFile

    job = import_job_create(
        company=contract.company,
        contract=contract,
        group=group,
        upload=ContentFile(content, name="salaries.csv"),
        by=user,
    )
    with CaptureQueriesContext(connection) as context:
        job = import_job_run(job=job)
    assert job.status == ImportStatus.DONE and job.error_count == 0
    return len(context)


def test_import_queries_do_not_grow_with_mobiles_nor_rows(setup):
    contract, group, user = setup
    one_old = csv_bytes([old(values(1))], headers=OLD_HEADERS)
    many_new = csv_bytes(
        [values(n, nir=make_nir(n), phone=f"06 12 34 56 {n:02d}") for n in range(2, 42)]
    )
    # One row of an old file (no column) and 40 rows with mobiles: the same exact count
    # (23 when the column came, with and without it; 19 since INSERT … RETURNING).
    assert _import_queries(contract, group, user, one_old) == 19
    assert _import_queries(contract, group, user, many_new) == 19
    assert Employee.objects.exclude(phone="").count() == 40
