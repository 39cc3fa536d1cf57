import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from enrolment.services.invitation import ReminderTooSoon, enrolment_invite, enrolment_remind
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import UserFactory
from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def _link(message: OutboxMessage) -> str:
    return next(line for line in message.body_text.splitlines() if "/invitation/" in line)


def test_invite_sends_once_and_link_is_valid(client, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
        enrolment_invite(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    message = OutboxMessage.objects.get()
    assert message.status == "sent"
    assert enrolment.member_number in message.body_text
    path = _link(message).split("8000", 1)[1]
    assert client.get(path).status_code == 200


def test_link_expires_after_60_days(client, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    path = _link(OutboxMessage.objects.get()).split("8000", 1)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(days=59)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=61)):
        response = client.get(path)
        assert response.status_code == 410
        assert "expiré" in response.content.decode()


def test_manual_reminder_at_most_once_per_24h(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    correspondent = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
        enrolment_remind(enrolment=enrolment, by=correspondent)
    with pytest.raises(ReminderTooSoon):
        enrolment_remind(enrolment=enrolment, by=correspondent)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        enrolment_remind(enrolment=enrolment, by=correspondent)
    assert OutboxMessage.objects.filter(key__startswith="manual-reminder").count() == 2
