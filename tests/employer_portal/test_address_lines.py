"""Item 8 of issue 12: postal address lines hold letters, digits, spaces and ' - , . /
only — on the pre-affiliation form, in file imports and in the member's profile."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from employer_portal.models import ImportJob
from enrolment.models import Employee
from enrolment.services.preaffiliation import check_employee
from member_portal.forms.wizard import ProfileForm
from mutuelle.validators import postal_address_line_ok
from tests.employer_portal.test_import import csv_bytes, setup, upload, values  # noqa: F401
from tests.mutuelle.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "line",
    [
        "12 bis",
        "rue de l'Église",
        "Résidence Les Pins, Bât. A/3",
        "Saint-Étienne",
        "Lieu-dit l’Orée",
    ],
)
def test_french_addresses_pass(line):
    assert postal_address_line_ok(line)


@pytest.mark.parametrize(
    "line",
    [
        '<script>alert("x")</script>',
        '=HYPERLINK("http://x")',
        "+33 rue",
        "@SUM(A1)",
        "-1 rue",
        "rue; DROP",
        "rue_du_port",
    ],
)
def test_markup_formulas_and_odd_signs_are_refused(line):
    assert not postal_address_line_ok(line)


def row(**overrides) -> dict:
    data = dict(
        zip(
            ["civility", "last_name", "first_name", "birth_date", "nir"], values(1)[:5], strict=True
        )
    )
    return {
        **data,
        "email": "",
        "address_street": "Rue des Lilas",
        "postal_code": "75011",
        "city": "Paris",
        "hire_date": "01/03/2024",
        "alsace_moselle": "Non",
        "effective_date": "01/03/2024",
        **overrides,
    }


def test_the_shared_check_names_the_field_and_the_rule():
    contract = ContractFactory(start_date=dt.date(2024, 1, 1))
    check = check_employee(
        row(address_street="<script>alert(1)</script>", city="=1+1"),
        company=contract.company,
        contract=contract,
    )
    assert check.errors["address_street"] == [
        "Libellé de la voie : ne peut contenir que des lettres, des chiffres, des espaces et "
        "les signes ' - , . / (et doit commencer par une lettre ou un chiffre)."
    ]
    assert "Ville : ne peut contenir" in check.errors["city"][0]
    assert check_employee(row(), company=contract.company, contract=contract).is_valid


def test_an_imported_row_with_markup_in_its_address_is_rejected(client, setup):  # noqa: F811
    contract, group, _user = setup
    rows = [
        values(
            1,
            email="",
            address_street="<script>alert(1)</script>",
            postal_code="75011",
            city="PARIS",
        )
    ]
    rows = [[*r[:16], "01/03/2024", "Non", "01/03/2024"] for r in rows]
    upload(client, contract, group, csv_bytes(rows), name="adresses.csv")
    with ImportJob.objects.get().rejection_file.open("rb") as handle:
        sheet = load_workbook(handle).active
    assert (
        "Libellé de la voie : ne peut contenir que des lettres"
        in sheet.cell(2, sheet.max_column).value
    )
    assert not Employee.objects.exists()


def test_the_members_profile_form_refuses_markup_too():
    form = ProfileForm(data={"address_street": "<b>rue</b>", "city": "Paris"})
    form.is_valid()
    assert "ne peut contenir que des lettres" in form.errors["address_street"][0]
    assert "city" not in form.errors
