"""Issue 12 §1: the employer may give the employee's mobile at pre-affiliation (form or
file). Only a French mobile is kept, in E.164 as ``PhoneNumberField`` stores it, with
« origine du mobile » = employer; the signature code then goes to it."""

import datetime as dt

import phonenumbers
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrolment.enums import EnrolmentStatus, PhoneSource
from enrolment.models import Employee
from enrolment.services.preaffiliation import check_employee, enrolment_pre_affiliate
from enrolment.services.preaffiliation.fields import PHONE_MESSAGE
from enrolment.services.preaffiliation.parsing import parse_mobile
from mutuelle.validators import _mobile_block_allocated, is_french_mobile

from ..mutuelle.factories import ContractFactory, InsuredGroupFactory
from .factories import EmployeeFactory, EnrolmentFactory, make_nir
from .test_preaffiliation import TODAY, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract():
    return ContractFactory(start_date=dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    "value",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        " 06 12 34 56 78 ",
        "+33612345678",
        "+33 6 12 34 56 78",
        "0033 6 12 34 56 78",
        612345678,  # an Excel number cell: the leading 0 is lost
        612345678.0,
        "612345678",
    ],
)
def test_french_mobile_forms_are_stored_in_e164(value):
    assert parse_mobile(value) == "+33612345678"


def test_07_numbers_accepted():
    assert parse_mobile("07 81 22 33 44") == "+33781223344"


@pytest.mark.parametrize(
    "value",
    [
        "01 45 00 00 00",  # a landline
        "09 70 00 00 00",  # a box / VoIP number
        "+32 470 12 34 56",  # a Belgian mobile
        "+44 7700 900123",
        "0032470123456",
        "06 12 34 56 7",  # one digit short
        "06 12 34 56 789",
        "07 00 12 34 56",  # 07 00… is not allocated
        "06 90 12 34 56",  # an overseas range, not a +33 mobile
        "+33 06 12 34 56 78",
        "mobile",
        512345678,  # nine digits, but not 6 or 7
    ],
)
def test_other_numbers_refused(value):
    assert parse_mobile(value) is None


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_no_number(value):
    assert parse_mobile(value) == ""


def test_allocated_blocks_match_libphonenumber_on_whole_numbers():
    """The per-block cache gives libphonenumber's answer for every number of a block."""
    for block in range(6000, 8000):
        expected = _mobile_block_allocated(str(block))
        for tail in ("00000", "54321", "99999"):
            number = phonenumbers.parse(f"+33{block}{tail}")
            assert is_french_mobile(number) is expected, f"{block}{tail}"


def test_check_keeps_the_mobile_and_refuses_a_landline_with_a_message(contract):
    check = check_employee(
        row(phone="06.12.34.56.78"), company=contract.company, contract=contract, today=TODAY
    )
    assert check.is_valid and check.data["phone"] == "+33612345678"
    assert check.prepared().phone == "+33612345678"
    refused = check_employee(
        row(phone="01 45 00 00 00", email="pas-une-adresse"),
        company=contract.company,
        contract=contract,
        today=TODAY,
    )
    assert refused.errors["phone"] == [PHONE_MESSAGE]
    assert "commençant par 06 ou 07" in PHONE_MESSAGE
    # With the other errors of the row, in the order of the fields.
    assert refused.messages() == [
        "L'adresse e-mail est invalide (exemple : prenom.nom@domaine.fr).",
        PHONE_MESSAGE,
    ]


def test_prepared_row_gives_the_mobile_back_in_french_for_a_rejection_file(contract):
    check = check_employee(
        row(phone="+33781223344"), company=contract.company, contract=contract, today=TODAY
    )
    assert check.prepared().as_row_values()["phone"] == "07 81 22 33 44"
    blank = check_employee(row(), company=contract.company, contract=contract, today=TODAY)
    assert blank.prepared().as_row_values()["phone"] == ""


def _stored(employee_id) -> tuple:
    """The columns as written in the database (not through the model field)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_source, phone_confirmed_at FROM enrolment_employee WHERE id = %s",
            [employee_id],
        )
        return cursor.fetchone()


def test_bulk_creation_stores_the_mobile_like_the_model_field(contract):
    group = InsuredGroupFactory(contract=contract)
    enrolments = enrolment_pre_affiliate(
        company=contract.company,
        contract=contract,
        group=group,
        rows=[row(phone="06 12 34 56 78"), row(nir=make_nir(2), first_name="Luc")],
        by=None,
        today=TODAY,
    )
    with_phone, without = (e.employee for e in enrolments)
    assert _stored(with_phone.pk) == ("+33612345678", PhoneSource.EMPLOYER, None)
    assert _stored(without.pk) == ("", "", None)
    # The same value as the model field itself would have stored.
    reference = EmployeeFactory(phone="06 12 34 56 78")
    assert _stored(reference.pk)[0] == "+33612345678"
    with_phone.refresh_from_db()
    assert with_phone.phone == phonenumbers.parse("+33612345678")
    assert with_phone.phone_source == PhoneSource.EMPLOYER
    assert with_phone.get_phone_source_display() == "Déclaré par l'employeur à la pré-affiliation"


CONFIRMED_AT = dt.datetime(2025, 10, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def returning(contract):
    """An employee of the company, no longer enrolled, whose mobile they confirmed."""
    group = InsuredGroupFactory(contract=contract)
    person = EmployeeFactory(
        company=contract.company,
        nir=make_nir(1),
        hire_date=dt.date(2020, 1, 1),
        phone="+33781223344",
        phone_source=PhoneSource.PROFILE,
        phone_confirmed_at=CONFIRMED_AT,
    )
    EnrolmentFactory(
        employee=person, group=group, contract=contract, status=EnrolmentStatus.TERMINATED
    )
    return group, person


def _declare(contract, group, rows):
    return enrolment_pre_affiliate(
        company=contract.company, contract=contract, group=group, rows=rows, by=None, today=TODAY
    )


def test_returning_employee_gets_the_declared_mobile(contract, returning):
    group, person = returning
    _declare(contract, group, [row(phone="06 12 34 56 78")])
    assert _stored(person.pk) == ("+33612345678", PhoneSource.EMPLOYER, None)


def test_returning_employee_keeps_the_confirmed_mobile_declared_again_or_not_declared(
    contract, returning
):
    group, person = returning
    # The same number, written otherwise: still the one the employee confirmed.
    _declare(contract, group, [row(phone="07.81.22.33.44")])
    person.refresh_from_db()
    assert str(person.phone) == "+33781223344"
    assert person.phone_source == PhoneSource.PROFILE
    assert person.phone_confirmed_at == CONFIRMED_AT
    # Declared again without a number: the employee's confirmed one is not erased.
    person.enrolments.update(status=EnrolmentStatus.TERMINATED)
    _declare(contract, group, [row(first_name="Jean")])
    person.refresh_from_db()
    assert person.first_name == "Jean"
    assert str(person.phone) == "+33781223344" and person.phone_source == PhoneSource.PROFILE
    assert person.phone_confirmed_at == CONFIRMED_AT


def test_declaring_mobiles_adds_no_query(contract):
    group = InsuredGroupFactory(contract=contract)
    counts = []
    for first, last, phone in ((1, 3, ""), (100, 135, "06 12 34 56 78")):
        rows = [row(nir=make_nir(n), phone=phone) for n in range(first, last)]
        with CaptureQueriesContext(connection) as context:
            _declare(contract, group, rows)
        counts.append(len(context))
    assert counts[0] == counts[1]
    assert Employee.objects.filter(phone="+33612345678").count() == 35
