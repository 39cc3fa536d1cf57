"""Employees without e-mail: their account comes with the postal letters (identifier and
provisional password); the first login starts the enrolment."""

import datetime as dt

import pytest
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, LinkKind
from enrolment.models import Request, SingleUseLink
from enrolment.services.invitation import reminders_send_due
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import PASSWORD, UserFactory

from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def postal(client):
    user = UserFactory(username="22000099", email="22000099@courrier.invalid")
    enrolment = EnrolmentFactory(invited=True, employee__email="", employee__user=user)
    client.login(username=user.username, password=PASSWORD)
    return enrolment, user


def test_first_login_starts_the_enrolment(client, postal):
    enrolment, user = postal
    assert client.get(url("home")).url == url("welcome")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_PROGRESS
    request = Request.objects.get(enrolment=enrolment)
    assert request.events.filter(label__startswith="Première connexion", actor=user).exists()


def test_postal_employee_can_give_a_personal_email(
    client, postal, django_capture_on_commit_callbacks
):
    _, user = postal
    page = client.get(url("welcome")).content.decode()
    assert "Mon adresse e-mail personnelle" in page
    mismatch = client.post(
        url("welcome"),
        {"action": "email", "email": "a@perso.example.fr", "email_confirm": "b@perso.example.fr"},
    )
    assert "ne sont pas identiques" in mismatch.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("welcome"),
            {
                "action": "email",
                "email": "a@perso.example.fr",
                "email_confirm": "a@perso.example.fr",
            },
        )
    assert response.url == url("welcome")
    confirmation = SingleUseLink.objects.get(kind=LinkKind.EMAIL_CONFIRMATION, user=user)
    message = OutboxMessage.objects.get(key=f"email-confirmation:{confirmation.pk}")
    assert message.recipient == "a@perso.example.fr"
    assert "identifiant reçu par courrier (22000099)" in message.body_text
    user.refresh_from_db()
    assert user.email == "22000099@courrier.invalid"


def test_no_reminder_to_the_placeholder_address(postal, django_capture_on_commit_callbacks):
    enrolment, _ = postal
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=timezone.now() + dt.timedelta(days=7, hours=1))
    assert not OutboxMessage.objects.filter(recipient__endswith="@courrier.invalid").exists()
    enrolment.refresh_from_db()
    assert enrolment.last_auto_reminder_day == 7
