import pytest
from django.core.exceptions import ValidationError

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.services.cancellation import enrolment_cancel
from enrolment.services.invitation import enrolment_invite
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import UserFactory
from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_cancel_waiting_enrolment_revokes_links(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    hr = UserFactory()
    enrolment_cancel(enrolment=enrolment, by=hr, note="Doublon")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    assert not enrolment.links.filter(revoked_at__isnull=True).exists()
    request = enrolment.requests.get()
    assert request.status == RequestStatus.CANCELLED
    assert request.events.last().label == "Pré-affiliation annulée par l'entreprise"


def test_cannot_cancel_active_enrolment():
    enrolment = EnrolmentFactory(active=True)
    with pytest.raises(ValidationError):
        enrolment_cancel(enrolment=enrolment, by=None)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_the_invited_employee_is_told_once_without_the_note(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(
        employee__first_name="Émilie",
        employee__email="emilie@example.fr",
        employee__company__legal_name="Atelier Dupont & Fils",
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_cancel(enrolment=enrolment, by=UserFactory(), note="Doublon de saisie")
    mail = OutboxMessage.objects.get(key=f"enrolment-cancelled:{enrolment.pk}")
    assert mail.recipient == "emilie@example.fr" and mail.status == "sent"
    assert (
        mail.subject
        == "Annulation de votre affiliation au contrat collectif d'Atelier Dupont & Fils"
    )
    assert "Votre entreprise Atelier Dupont & Fils a annulé votre pré-affiliation" in mail.body_text
    assert "contrat collectif complémentaire santé" in mail.body_text
    assert "Doublon" not in mail.body_text


def test_an_employee_never_invited_gets_no_e_mail():
    enrolment = EnrolmentFactory(employee__email="emilie@example.fr")
    enrolment_cancel(enrolment=enrolment, by=None)
    assert not OutboxMessage.objects.filter(key__startswith="enrolment-cancelled:").exists()
