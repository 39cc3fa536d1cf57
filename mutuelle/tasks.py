import datetime as dt
import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.utils import timezone

from .enums import Channel, MessageStatus
from .models import OutboxMessage
from .sms import get_sms_backend

# Lines name the channel and the outbox message id, never the recipient or the content
# (personal data); the message itself is in the back office.
logger = logging.getLogger(__name__)


def _secrets_after_delivery(secrets: str) -> str:
    """A delivered message's secrets are erased — kept (encrypted) only while the
    development outbox is on, so that its links can be followed there."""
    return secrets if settings.DEV_OUTBOX_ENABLED else ""


def _email_of(message: OutboxMessage, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.attachment:
        with message.attachment.open("rb") as handle:
            email.attach(Path(message.attachment.name).name, handle.read(), "application/pdf")
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
            logger.info("Outbox message %s already sent or gone: nothing to do", message_id)
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
            message.secrets = _secrets_after_delivery(message.secrets)
            message.save(update_fields=["attempts", "status", "sent_at", "last_error", "secrets"])
    if error is None:
        logger.info("Outbox message %s sent by %s", message.pk, message.channel)
    else:
        # The exception's text may quote the address: only its type is logged.
        logger.warning(
            "Outbox message %s by %s failed (attempt %s): %s",
            message.pk,
            message.channel,
            message.attempts,
            type(error).__name__,
        )
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
            # Kept only for the development outbox (_secrets_after_delivery).
            erase = {} if settings.DEV_OUTBOX_ENABLED else {"secrets": ""}
            OutboxMessage.objects.filter(pk__in=sent).update(
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                last_error="",
                attempts=models.F("attempts") + 1,
                **erase,
            )
        for message, exc in failed:
            message.attempts += 1
            message.status = MessageStatus.FAILED
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "status", "last_error"])
    sent_ids = set(sent)
    for channel in (Channel.EMAIL, Channel.SMS):
        ids = [m.pk for m in messages if m.channel == channel and m.pk in sent_ids]
        if ids:
            logger.info("Outbox messages %s sent by %s", _id_list(ids), channel)
    for message, exc in failed:
        logger.warning(
            "Outbox message %s by %s failed: %s, retried alone",
            message.pk,
            message.channel,
            type(exc).__name__,
        )
        deliver_message.delay(message.pk)


def _id_list(ids: list[int]) -> str:
    return ",".join(str(pk) for pk in ids)


@shared_task
def requeue_pending_messages() -> int:
    """Beat, every few minutes: re-queue outbox messages still pending (idempotent)."""
    from .notifications import outbox_requeue_stale

    count = outbox_requeue_stale(
        older_than=dt.timedelta(minutes=settings.OUTBOX_REQUEUE_AFTER_MINUTES)
    )
    if count:
        logger.warning("%s pending outbox message(s) queued again", count)
    return count
