import pytest
from django.db import IntegrityError

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.exceptions import InvalidTransition
from enrolment.models import Employee
from mutuelle.fields import keyed_hash
from mutuelle.validators import format_nir

from .factories import EmployeeFactory, EnrolmentFactory, make_nir

pytestmark = pytest.mark.django_db


def test_nir_is_encrypted_at_rest_and_found_by_hash():
    employee = EmployeeFactory(nir=format_nir(make_nir(1)))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nir FROM enrolment_employee WHERE id = %s", [employee.pk])
        raw = cursor.fetchone()[0]
    assert make_nir(1) not in raw
    assert Employee.objects.get(pk=employee.pk).nir == make_nir(1)
    assert Employee.objects.filter(nir_hash=keyed_hash(make_nir(1))).get() == employee


def test_transition_updates_request_and_history():
    enrolment = EnrolmentFactory()
    enrolment.transition(EnrolmentStatus.INVITED, label="Invitation envoyée")
    request = enrolment.requests.get()
    assert request.status == RequestStatus.WAITING
    enrolment.transition(EnrolmentStatus.CANCELLED, note="Saisie par erreur")
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert [e.to_status for e in request.events.all()] == ["invited", "cancelled"]
    with pytest.raises(InvalidTransition):
        enrolment.transition(EnrolmentStatus.ACTIVE)


def test_one_open_enrolment_per_employee_and_contract():
    enrolment = EnrolmentFactory()
    with pytest.raises(IntegrityError):
        EnrolmentFactory(employee=enrolment.employee, group=enrolment.group)
