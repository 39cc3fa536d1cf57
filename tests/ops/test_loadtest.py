"""The pieces of ``make loadtest`` that run outside locust: the generated company, the
percentile over locust's histograms and the database time source."""

import pytest
from django.db import connection

from benchmarks.loadtest_data import (
    CORRESPONDENT_EMAIL,
    MEMBER_EMAIL,
    SIRET,
    loadtest_company_ensure,
)
from benchmarks.loadtest_db import DatabaseCpu, NotMeasured, ProcCpu
from benchmarks.management.commands.loadtest import _percentile
from employer_portal.selectors import company_counters
from enrolment.models import Employee, Enrolment, Request
from mutuelle.models import Company, User
from mutuelle.validators import validate_siret

from .processes import database_url_for_other_processes


@pytest.mark.django_db
def test_the_company_is_built_once_and_its_passwords_reset_each_run():
    first = loadtest_company_ensure(employees=40, password="Premier-Mot-2026!")
    again = loadtest_company_ensure(employees=40, password="Second-Mot-2026!")
    assert first.created and not again.created
    assert first.company_id == again.company_id and again.employees == 40
    validate_siret(SIRET)
    company = Company.objects.get(siret=SIRET)
    assert Enrolment.objects.filter(employee__company=company).count() == 40
    assert Request.objects.filter(company=company).count() == 40
    for email in (CORRESPONDENT_EMAIL, MEMBER_EMAIL):
        user = User.objects.get(email=email)
        assert user.check_password("Second-Mot-2026!")
    member = Employee.objects.get(user__email=MEMBER_EMAIL)
    assert member.company == company
    counters = company_counters(company)
    assert counters["affiliated"] >= 40 // 3 and sum(counters.values()) < 40


def _rows_in_statistics(table: str) -> int:
    """The row count the planner knows for ``table`` (-1 or 0: never analysed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        # One line per index, « rows … »: the leading number is the table's rows.
        cursor.execute(
            "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = %s", [table]
        )
        return cursor.fetchone()[0] or 0


@pytest.mark.django_db
def test_the_new_company_is_analysed_for_the_planner():
    """The load test starts seconds after the bulk insert: without fresh statistics
    PostgreSQL plans « Mes demandes » for an empty table."""
    loadtest_company_ensure(employees=30, password="Premier-Mot-2026!")
    for model in (Employee, Enrolment, Request):
        # PostgreSQL keeps statistics through a rollback: an earlier test's 40 rows
        # would show here had this company not been analysed.
        assert _rows_in_statistics(model._meta.db_table) == model.objects.count() == 30


def test_percentile_merges_locust_histograms():
    assert _percentile([{"10": 90}, {"200": 10}], 0.95) == 200
    assert _percentile([{"10": 96}, {"200": 4}], 0.95) == 10
    assert _percentile([{"5": 1, "7": 1}], 0.5) == 5


def test_sqlite_has_no_separate_database_time():
    measure = DatabaseCpu.for_url("sqlite:////tmp/x.sqlite3")
    assert isinstance(measure, NotMeasured) and "SQLite" in measure.reason
    measure.start()
    assert measure.stop() is None


def test_sqlite_has_no_server_processes():
    assert isinstance(DatabaseCpu.server_processes("sqlite:////tmp/x.sqlite3"), NotMeasured)


@pytest.mark.django_db
def test_the_server_processes_cpu_counts_the_work_of_its_backends():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI).")
    measure = DatabaseCpu.server_processes(database_url_for_other_processes())
    assert isinstance(measure, ProcCpu), measure.reason
    measure.start()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
    assert measure.stop() > 0
