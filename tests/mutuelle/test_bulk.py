"""mutuelle.bulk.bulk_insert: the same rows on SQLite (multi-row VALUES) and PostgreSQL
(one array per column), defaults of the columns not given, ids read back."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrolment.models import Employee
from mutuelle.bulk import bulk_insert
from tests.mutuelle.factories import CompanyFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "company",
    "nir_hash",
    "last_name",
    "first_name",
    "birth_date",
    "hire_date",
    "phone_confirmed_at",
]


def rows(company, count: int, *, confirmed=None):
    birth = connection.ops.adapt_datefield_value(dt.date(1980, 2, 29))
    hire = connection.ops.adapt_datefield_value(dt.date(2024, 9, 1))
    at = connection.ops.adapt_datetimefield_value(confirmed)
    return [
        (company.pk, f"hash-{n}", f"Martin-{n}", "Léa d'Arc", birth, hire, at) for n in range(count)
    ]


def test_rows_are_inserted_with_defaults_and_their_ids_come_back():
    company = CompanyFactory()
    before = timezone.now()
    ids = bulk_insert(Employee, FIELDS, rows(company, 3), returning="nir_hash")
    employees = {e.nir_hash: e for e in Employee.objects.filter(company=company)}
    assert ids == {nir_hash: employee.pk for nir_hash, employee in employees.items()}
    employee = employees["hash-2"]
    assert (employee.last_name, employee.first_name) == ("Martin-2", "Léa d'Arc")
    assert employee.birth_date == dt.date(1980, 2, 29)
    assert employee.phone_confirmed_at is None
    # Not given: each field's default, the insert's time for auto_now(_add).
    assert employee.teletransmission is True and employee.country == "FRANCE"
    assert employee.user_id is None
    assert employee.created_at >= before and employee.updated_at >= before


def test_many_rows_in_one_call():
    company = CompanyFactory()
    confirmed = timezone.now().replace(microsecond=0)
    ids = bulk_insert(Employee, FIELDS, rows(company, 2500, confirmed=confirmed), returning="id")
    assert len(ids) == 2500 == Employee.objects.filter(company=company).count()
    assert Employee.objects.filter(phone_confirmed_at=confirmed).count() == 2500


def test_shared_values_are_bound_once_for_every_row():
    company = CompanyFactory()
    at = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    fields = ["nir_hash", "last_name", "first_name", "birth_date", "hire_date"]
    shared = {"company": company.pk, "country": "BELGIQUE", "phone_confirmed_at": at}
    with CaptureQueriesContext(connection) as queries:
        ids = bulk_insert(
            Employee, fields, [row[1:6] for row in rows(company, 3)], shared=shared, returning="id"
        )
    assert len(queries) == 1
    # One placeholder per shared value, not one per row.
    assert queries[0]["sql"].count("'BELGIQUE'") == 1
    employees = Employee.objects.filter(pk__in=ids)
    assert {(e.company_id, e.country, e.last_name) for e in employees} == {
        (company.pk, "BELGIQUE", f"Martin-{n}") for n in range(3)
    }
    # The other columns still get their defaults.
    assert all(e.teletransmission and e.user_id is None for e in employees)


def test_a_field_given_per_row_and_as_shared_is_refused_by_name():
    company = CompanyFactory()
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(ValueError, match="company, country"),
    ):
        bulk_insert(
            Employee,
            ["company", "country", "nir_hash"],
            [(company.pk, "FRANCE", "x")],
            shared={"country": "BELGIQUE", "company": company.pk},
        )
    assert not queries


def test_nothing_to_insert():
    with CaptureQueriesContext(connection) as queries:
        assert bulk_insert(Employee, FIELDS, [], returning="nir_hash") == {}
        assert bulk_insert(Employee, FIELDS, iter(())) == {}
    assert len(queries) == 0
    assert not Employee.objects.exists()


def test_without_returning():
    company = CompanyFactory()
    assert bulk_insert(Employee, FIELDS, iter(rows(company, 2))) == {}
    assert Employee.objects.filter(company=company).count() == 2
