from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .enums import Channel, MessageStatus
from .models import OutboxMessage
from .sms import get_sms_backend


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_message(self, message_id: int) -> None:
    """Hand one outbox message to its backend; a message already sent is skipped."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == MessageStatus.SENT:
            return
        message.attempts += 1
        try:
            if message.channel == Channel.SMS:
                get_sms_backend().send(to=message.recipient, text=message.body_text)
            else:
                email = EmailMultiAlternatives(
                    subject=message.subject, body=message.body_text, to=[message.recipient]
                )
                if message.body_html:
                    email.attach_alternative(message.body_html, "text/html")
                email.send()
        except Exception as exc:
            message.status = MessageStatus.FAILED
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "status", "last_error"])
            raise
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
