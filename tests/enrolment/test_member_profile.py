"""« Mes informations personnelles » services: every change in the member's history; a
new mobile confirmed by the signature's SMS code before it replaces the old one."""

import re

import pytest
from django.db import transaction

from enrolment.enums import EnrolmentStatus, LinkKind
from enrolment.models import SingleUseLink
from enrolment.services.activation import email_confirm
from enrolment.services.links import hash_key
from enrolment.services.profile import (
    member_address_change,
    member_email_change_request,
    member_preferences_change,
    phone_change_attempts,
    phone_change_confirm,
    phone_change_start,
)
from enrolment.signature.services import NotAMobile, WrongCode
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import ORIGIN, last_sms_code
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return EnrolmentFactory(
        status=EnrolmentStatus.ACTIVE,
        employee__user=UserFactory(email="paul@exemple.fr"),
        employee__phone="+33611111111",
    )


def test_address_change_is_in_the_history(member):
    employee = member.employee
    by = employee.user
    assert member_address_change(
        employee=employee, by=by, address_street="Avenue Foch", postal_code="69006", city="Lyon"
    )
    employee.refresh_from_db()
    assert (employee.address_street, employee.city) == ("Avenue Foch", "Lyon")
    change = employee.changes.get()
    assert change.actor == by and change.label == "Adresse postale modifiée"
    assert "RUE DES ECOLES" in change.old_value and "Avenue Foch" in change.new_value
    # The same address again writes nothing.
    assert not member_address_change(
        employee=employee, by=by, address_street="Avenue Foch", postal_code="69006", city="Lyon"
    )
    assert employee.changes.count() == 1


def test_preferences_change_only_what_changed(member):
    employee = member.employee
    assert employee.paperless_mail and employee.reimbursement_alerts
    changed = member_preferences_change(
        employee=employee, by=employee.user, paperless_mail=False, reimbursement_alerts=True
    )
    assert changed == ["E-courriers"]
    employee.refresh_from_db()
    assert employee.paperless_mail is False
    assert list(employee.changes.values_list("label", flat=True)) == ["E-courriers : désactivé"]


def test_personal_email_becomes_the_login_once_confirmed(member):
    employee = member.employee
    link = member_email_change_request(employee=employee, by=employee.user, email="P@perso.fr")
    assert link.email == "p@perso.fr"
    employee.user.refresh_from_db()
    assert employee.user.email == "paul@exemple.fr"
    message = OutboxMessage.objects.get(recipient="p@perso.fr")
    key = re.search(r"/confirmer-email/([^/\s]+)/", message.body_text).group(1)
    assert SingleUseLink.objects.get(kind=LinkKind.EMAIL_CONFIRMATION).key_hash == hash_key(key)
    with transaction.atomic():
        email_confirm(raw_token=key)
    employee.user.refresh_from_db()
    assert employee.user.email == "p@perso.fr"
    assert list(employee.changes.order_by("at", "id").values_list("label", flat=True)) == [
        "Nouvelle adresse e-mail personnelle envoyée pour confirmation",
        "Adresse e-mail de connexion confirmée",
    ]


def test_new_mobile_replaces_the_old_one_only_with_the_sms_code(member):
    employee = member.employee
    with pytest.raises(NotAMobile):
        phone_change_start(enrolment=member, phone="01 44 55 66 77")
    attempt = phone_change_start(enrolment=member, phone="06 98 76 54 32")
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == "+33698765432"
    employee.refresh_from_db()
    assert str(employee.phone) == "+33611111111"
    with pytest.raises(WrongCode):
        phone_change_confirm(attempt=attempt, code="000000", by=employee.user, origin=ORIGIN)
    employee.refresh_from_db()
    assert str(employee.phone) == "+33611111111"
    phone_change_confirm(attempt=attempt, code=last_sms_code(), by=employee.user, origin=ORIGIN)
    employee.refresh_from_db()
    assert str(employee.phone) == "+33698765432"
    change = employee.changes.get()
    assert change.label == "Mobile modifié (confirmé par code SMS)"
    assert (change.old_value, change.new_value) == ("06 11 11 11 11", "06 98 76 54 32")
    # The signed declaration is kept as evidence, and the attempt is closed.
    assert attempt.enrolment.signature_evidences.get().document
    assert not phone_change_attempts(employee.user).exists()


def test_phone_change_attempts_are_scoped_to_their_member(member):
    phone_change_start(enrolment=member, phone="06 98 76 54 32")
    other = UserFactory()
    assert phone_change_attempts(member.employee.user).count() == 1
    assert not phone_change_attempts(other).exists()
