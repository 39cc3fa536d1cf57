import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.models import Request
from enrolment.services.invitation import (
    EXPIRY_REASON,
    enrolment_invite,
    enrolments_expire_due,
    reminders_send_due,
)
from enrolment.tasks import expire_enrolments, send_due_reminders
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import CorrespondentAccessFactory, UserFactory
from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    enrolment.refresh_from_db()
    return enrolment


def _run_reminders(capture, days: float) -> int:
    with time_machine.travel(timezone.now() + dt.timedelta(days=days)), capture(execute=True):
        return send_due_reminders.delay().get()


def test_reminder_schedule_7_21_45(invited, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert _run_reminders(capture, 6.9) == 0
    assert _run_reminders(capture, 7.01) == 1
    assert _run_reminders(capture, 7.5) == 0
    assert _run_reminders(capture, 20) == 0
    assert _run_reminders(capture, 21.01) == 1
    assert _run_reminders(capture, 45.01) == 1
    assert _run_reminders(capture, 59) == 0
    keys = set(
        OutboxMessage.objects.filter(key__startswith="reminder:").values_list("key", flat=True)
    )
    assert keys == {f"reminder:{invited.pk}:{d}" for d in (7, 21, 45)}
    assert all(m.status == "sent" for m in OutboxMessage.objects.all())
    request = Request.objects.get(enrolment=invited)
    assert request.events.filter(label__startswith="Relance automatique").count() == 3


def test_job_run_twice_sends_once(invited, django_capture_on_commit_callbacks):
    now = timezone.now() + dt.timedelta(days=7, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=now) == 1
    # Even if the bookkeeping field is lost (a crash between the two writes), the key
    # in the outbox still prevents a second message.
    type(invited).objects.filter(pk=invited.pk).update(last_auto_reminder_day=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=now) == 0
    assert OutboxMessage.objects.filter(key__startswith="reminder:").count() == 1
    assert len(mail.outbox) == 2  # the invitation and one reminder


def test_missed_runs_send_only_latest_reminder(invited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=timezone.now() + dt.timedelta(days=30))
    assert list(
        OutboxMessage.objects.filter(key__startswith="reminder:").values_list("key", flat=True)
    ) == [f"reminder:{invited.pk}:21"]


def test_reminder_carries_fresh_link_and_revokes_previous(
    client, invited, django_capture_on_commit_callbacks
):
    invitation = OutboxMessage.objects.get(key=f"invitation:{invited.pk}")
    old_path = next(
        line for line in invitation.body_text.splitlines() if "/invitation/" in line
    ).split("8000", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=timezone.now() + dt.timedelta(days=7, hours=1))
    reminder = OutboxMessage.objects.get(key__startswith="reminder:")
    new_path = next(
        line for line in reminder.body_text.splitlines() if "/invitation/" in line
    ).split("8000", 1)[1]
    assert new_path != old_path
    assert client.get(old_path).status_code == 410
    assert client.get(new_path).status_code == 200


def test_no_reminder_once_signed_or_dispensation(django_capture_on_commit_callbacks):
    signed = EnrolmentFactory(invited=True, status=EnrolmentStatus.SIGNED)
    dispensation = EnrolmentFactory(invited=True, status=EnrolmentStatus.DISPENSATION_REQUESTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=timezone.now() + dt.timedelta(days=7, hours=1)) == 0
    assert not OutboxMessage.objects.filter(
        key__in=[f"reminder:{signed.pk}:7", f"reminder:{dispensation.pk}:7"]
    ).exists()


def test_reminder_after_activation_points_to_login(django_capture_on_commit_callbacks):
    user = UserFactory(email="perso@example.fr")
    enrolment = EnrolmentFactory(
        invited=True, status=EnrolmentStatus.IN_PROGRESS, employee__user=user
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=timezone.now() + dt.timedelta(days=7, hours=1))
    message = OutboxMessage.objects.get(key=f"reminder:{enrolment.pk}:7")
    assert message.recipient == "perso@example.fr"
    assert "/compte/login/" in message.body_text
    assert "/invitation/" not in message.body_text


def test_expiry_at_day_60_cancels_request_and_notifies_correspondents_once(
    invited, django_capture_on_commit_callbacks
):
    access = CorrespondentAccessFactory(company=invited.employee.company)
    CorrespondentAccessFactory(company=invited.employee.company)
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(timezone.now() + dt.timedelta(days=59)), capture(execute=True):
        assert expire_enrolments.delay().get() == 0
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=60, minutes=1)),
        capture(execute=True),
    ):
        assert expire_enrolments.delay().get() == 1
        assert enrolments_expire_due() == 0
    invited.refresh_from_db()
    assert invited.status == EnrolmentStatus.EXPIRED
    request = Request.objects.get(enrolment=invited)
    assert request.status == RequestStatus.CANCELLED
    assert request.status_note == EXPIRY_REASON
    assert request.get_status_display() == "Annulée"
    notices = OutboxMessage.objects.filter(key__startswith="expiry:")
    assert notices.count() == 2
    assert access.user.email in set(notices.values_list("recipient", flat=True))
    assert "n'a pas finalisé son adhésion" in notices.first().body_text
    # An expired enrolment is never reminded.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=timezone.now() + dt.timedelta(days=61)) == 0


def test_beat_schedule_declares_both_jobs(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"enrolment.tasks.send_due_reminders", "enrolment.tasks.expire_enrolments"} <= tasks


def _queries_for_due(n: int, django_capture_on_commit_callbacks) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    for _ in range(n):
        EnrolmentFactory(
            invited=True,
            invited_at=now - dt.timedelta(days=8),
            expires_at=now + dt.timedelta(days=52),
        )
    with (
        CaptureQueriesContext(connection) as ctx,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reminders_send_due(now=now) == n
    return len(ctx)


def test_reminder_batch_query_count_does_not_grow(django_capture_on_commit_callbacks):
    small = _queries_for_due(3, django_capture_on_commit_callbacks)
    OutboxMessage.objects.all().delete()
    large = _queries_for_due(30, django_capture_on_commit_callbacks)
    assert large == small
