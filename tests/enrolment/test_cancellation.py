import pytest
from django.core.exceptions import ValidationError

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.services.cancellation import enrolment_cancel
from enrolment.services.invitation import enrolment_invite

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
