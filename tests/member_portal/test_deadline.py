"""The 60 days to finish an enrolment are checked on every request of the wizard, the
signature and the dispensation, not only by the nightly job."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from mutuelle.models import OutboxMessage
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory

from .helpers import in_progress_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(client):
    enrolment, user = in_progress_enrolment(
        wizard_step="profile", group__contract__dispensation_enabled=True
    )
    enrolment.expires_at = timezone.now() - dt.timedelta(minutes=1)
    enrolment.save(update_fields=["expires_at"])
    CorrespondentAccessFactory(company=enrolment.employee.company)
    client.login(username=user.username, password=PASSWORD)
    return enrolment


@pytest.mark.parametrize(
    "path",
    [
        reverse("member_portal:wizard_profile"),
        reverse("member_portal:wizard_recap"),
        reverse("member_portal:signature_entry"),
        reverse("member_portal:dispensation_start"),
    ],
)
def test_an_overdue_enrolment_is_expired_on_the_next_request(
    client, overdue, path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path, follow=True)
    assert "Le délai de 60 jours pour finaliser votre adhésion est dépassé" in (
        response.content.decode().replace("&#x27;", "'")
    )
    overdue.refresh_from_db()
    assert overdue.status == EnrolmentStatus.EXPIRED
    assert OutboxMessage.objects.filter(key__startswith=f"expiry:{overdue.pk}:").count() == 1


def test_signature_page_of_an_overdue_enrolment_is_refused(client, overdue):
    response = client.get(reverse("member_portal:signature_start", args=[overdue.pk]))
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == EnrolmentStatus.EXPIRED


def test_dispensation_service_refuses_after_the_deadline(overdue):
    from tests.dispensations.factories import submit

    with pytest.raises(ValidationError, match="60 jours"):
        submit(overdue)
