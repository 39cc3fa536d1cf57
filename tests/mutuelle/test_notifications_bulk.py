import pytest
from django.core import mail

from mutuelle.enums import Channel, MessageStatus
from mutuelle.models import OutboxMessage
from mutuelle.notifications import Notification, notification_send, notification_send_many

pytestmark = pytest.mark.django_db


def _batch(n, prefix="bulk"):
    return [
        Notification(
            key=f"{prefix}:{i}",
            to=f"p{i}@example.fr",
            context={
                "employee": {"first_name": "Ana", "last_name": f"N{i}"},
                "company": {"legal_name": "ACME"},
                "enrolment": {"member_number": str(i)},
                "link": "http://x/",
                "has_account": True,
                "expires_at": None,
            },
        )
        for i in range(n)
    ]


def test_send_many_is_idempotent_and_delivers_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            key="bulk:0",
            channel=Channel.EMAIL,
            to="p0@example.fr",
            template="reminder",
            context=_batch(1)[0].context,
        )
    with django_capture_on_commit_callbacks(execute=True):
        ids = notification_send_many(
            channel=Channel.EMAIL, template="reminder", notifications=_batch(5)
        )
    assert len(ids) == 4  # bulk:0 was already sent
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            notification_send_many(
                channel=Channel.EMAIL, template="reminder", notifications=_batch(5)
            )
            == []
        )
    assert OutboxMessage.objects.count() == 5
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert len(mail.outbox) == 5
    message = OutboxMessage.objects.get(key="bulk:3")
    assert message.recipient == "p3@example.fr"
    assert "Rappel" in message.subject
    assert "Ana N3" in message.body_text


def test_send_many_skips_empty_recipients(django_capture_on_commit_callbacks):
    batch = [Notification(key="x:1", to="", context={})]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            notification_send_many(channel=Channel.EMAIL, template="reminder", notifications=batch)
            == []
        )
    assert not OutboxMessage.objects.exists()


def test_failed_message_in_chunk_is_retried_alone(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    from mutuelle import tasks

    calls = []
    original = tasks._email_of

    def flaky(message, connection=None):
        email = original(message, connection)
        if message.key == "bulk:1":

            def boom(*a, **k):
                raise OSError("SMTP indisponible")

            email.send = boom
        return email

    monkeypatch.setattr(tasks, "_email_of", flaky)
    monkeypatch.setattr(tasks.deliver_message, "delay", lambda pk: calls.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        notification_send_many(channel=Channel.EMAIL, template="reminder", notifications=_batch(3))
    failed = OutboxMessage.objects.get(key="bulk:1")
    assert failed.status == MessageStatus.FAILED
    assert "SMTP indisponible" in failed.last_error
    assert calls == [failed.pk]
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 2
