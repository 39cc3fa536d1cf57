from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.utils import timezone

from .enums import Channel, MessageStatus
from .models import OutboxMessage
from .sms import get_sms_backend


def _email_of(message: OutboxMessage, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_message(self, message_id: int) -> None:
    """Hand one outbox message to its backend; a message already sent is skipped.

    A failure is recorded (committed) before the error is raised for Celery's retry:
    raising inside the transaction would roll the record back."""
    error = None
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == MessageStatus.SENT:
            return
        message.attempts += 1
        try:
            if message.channel == Channel.SMS:
                get_sms_backend().send(to=message.recipient, text=message.body_text)
            else:
                _email_of(message).send()
        except Exception as exc:
            error = exc
            message.status = MessageStatus.FAILED
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "status", "last_error"])
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if error is not None:
        raise error


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_messages(self, message_ids: list[int]) -> None:
    """Deliver a chunk of a bulk send over one connection, with one UPDATE for the sent.

    A message whose sending fails is marked failed and handed to :func:`deliver_message`,
    which retries it on its own, so one bad address never blocks the chunk.
    """
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=message_ids)
            .exclude(status=MessageStatus.SENT)
        )
        sent, failed = [], []
        emails = [m for m in messages if m.channel == Channel.EMAIL]
        if emails:
            with get_connection() as connection:
                for message in emails:
                    try:
                        _email_of(message, connection).send()
                    except Exception as exc:
                        failed.append((message, exc))
                    else:
                        sent.append(message.pk)
        for message in messages:
            if message.channel == Channel.SMS:
                try:
                    get_sms_backend().send(to=message.recipient, text=message.body_text)
                except Exception as exc:
                    failed.append((message, exc))
                else:
                    sent.append(message.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                last_error="",
                attempts=models.F("attempts") + 1,
            )
        for message, exc in failed:
            message.attempts += 1
            message.status = MessageStatus.FAILED
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "status", "last_error"])
    for message, _exc in failed:
        deliver_message.delay(message.pk)
