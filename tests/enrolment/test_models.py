import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.exceptions import InvalidTransition
from enrolment.models import (
    ENROLMENT_TRANSITIONS,
    MEMBER_NUMBER_OFFSET,
    NEW,
    Employee,
    Enrolment,
    enrolment_pk_of,
    member_number_of,
)
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
    now = timezone.now()
    enrolment.invite(at=now, expires_at=now + dt.timedelta(days=60), label="Invitation envoyée")
    request = enrolment.requests.get()
    assert request.status == RequestStatus.WAITING
    enrolment.cancel(by=None, at=now, note="Saisie par erreur")
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert [e.to_status for e in request.events.all()] == ["invited", "cancelled"]
    assert [e.label for e in request.events.all()] == [
        "Invitation envoyée",
        "Pré-affiliation annulée par l'entreprise",
    ]
    enrolment.refresh_from_db()
    assert (enrolment.invited_at, enrolment.ended_at) == (now, now)
    with pytest.raises(InvalidTransition):
        enrolment.validate(by=None)


def test_every_status_pair_of_the_table_is_one_named_method():
    """One table, one method per name; the methods apply exactly the table's moves."""
    for name, transition in ENROLMENT_TRANSITIONS.items():
        assert transition.sources and transition.target in EnrolmentStatus.values
        if name in {"declare", "affiliate"}:
            # Written for thousands of rows at once by the pre-affiliation (prévoyance:
            # the affiliation), through enrolment_step (tests/enrolment/test_provident.py).
            assert transition.sources == {NEW}
            continue
        assert callable(getattr(Enrolment, name)), name
    # Final states lead nowhere.
    for final in (EnrolmentStatus.TERMINATED, EnrolmentStatus.CANCELLED):
        assert not any(final in t.sources for t in ENROLMENT_TRANSITIONS.values())


@pytest.mark.parametrize(
    "status",
    [s for s in EnrolmentStatus.values if s not in ENROLMENT_TRANSITIONS["sign"].sources],
)
def test_illegal_transition_raises_the_domain_exception_and_changes_nothing(status):
    enrolment = EnrolmentFactory(status=status)
    with pytest.raises(InvalidTransition):
        enrolment.sign(by=None, at=timezone.now())
    enrolment.refresh_from_db()
    assert enrolment.status == status
    assert enrolment.signed_at is None


@pytest.mark.parametrize(
    ("status", "remind", "cancel", "terminate"),
    [
        (EnrolmentStatus.PRE_AFFILIATED, False, True, False),
        (EnrolmentStatus.INVITED, True, True, False),
        (EnrolmentStatus.IN_PROGRESS, True, True, False),
        (EnrolmentStatus.SIGNED, False, False, False),
        (EnrolmentStatus.DISPENSATION_REQUESTED, False, False, False),
        (EnrolmentStatus.ACTIVE, False, False, True),
        (EnrolmentStatus.PORTABILITY, False, False, False),
        (EnrolmentStatus.EXPIRED, False, False, False),
        (EnrolmentStatus.TERMINATED, False, False, False),
    ],
)
def test_workflow_rules_shown_to_the_employer(status, remind, cancel, terminate):
    enrolment = Enrolment(status=status)
    assert (enrolment.can_remind, enrolment.can_cancel, enrolment.can_terminate) == (
        remind,
        cancel,
        terminate,
    )


def test_member_number_formula_both_ways():
    enrolment = EnrolmentFactory()
    assert enrolment.member_number == member_number_of(enrolment.pk)
    assert enrolment_pk_of(enrolment.member_number) == enrolment.pk
    assert enrolment_pk_of(f" {enrolment.member_number} ") == enrolment.pk
    for not_a_number in ("", "abc", "42", str(MEMBER_NUMBER_OFFSET)):
        assert enrolment_pk_of(not_a_number) is None


def test_one_open_enrolment_per_employee_and_contract():
    enrolment = EnrolmentFactory()
    with pytest.raises(IntegrityError):
        EnrolmentFactory(employee=enrolment.employee, group=enrolment.group)
