"""Item 4 of issue 12: a lost delivery is retried — a periodic sweeper re-queues the
messages still pending, and the back office resends messages in error."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from mutuelle.enums import Channel, MessageStatus
from mutuelle.models import OutboxMessage
from mutuelle.notifications import notification_send
from mutuelle.roles import GESTIONNAIRE
from mutuelle.tasks import requeue_pending_messages
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


def send(key="test:1"):
    # Outside django_capture_on_commit_callbacks the queued delivery never runs: the
    # queue "lost" it.
    return notification_send(
        key=key,
        channel=Channel.EMAIL,
        to="salarie@example.fr",
        template="login_failures",
        context={"failures": 5, "last_ip": "203.0.113.5", "last_at": timezone.now()},
    )


def test_a_message_lost_by_the_queue_is_sent_by_the_sweeper_once(
    django_capture_on_commit_callbacks,
):
    message = send()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert requeue_pending_messages() == 0  # not late yet
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_pending_messages() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_pending_messages() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1


def test_requeued_twice_a_message_is_still_sent_once(django_capture_on_commit_callbacks):
    """The sweeper may re-queue a message whose first delivery is merely late."""
    message = send()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        requeue_pending_messages()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=22)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        requeue_pending_messages()
    from mutuelle.tasks import deliver_message

    deliver_message(message.pk)
    assert len(mail.outbox) == 1


def test_back_office_resends_messages_in_error(client, django_capture_on_commit_callbacks):
    failed = send("test:failed")
    sent = send("test:sent")
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=MessageStatus.FAILED, attempts=9, last_error="SMTP injoignable"
    )
    OutboxMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
    manager = UserFactory(staff=True)
    manager.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(manager)
    listing = client.get("/gestion/mutuelle/outboxmessage/?status__exact=failed")
    assert "Renvoyer les messages en échec sélectionnés" in listing.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/gestion/mutuelle/outboxmessage/",
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert "1 message(s) remis en file d&#x27;envoi." in response.text
    assert "1 message(s) ignoré(s)" in response.text
    failed.refresh_from_db()
    assert failed.status == MessageStatus.SENT
    assert len(mail.outbox) == 1
