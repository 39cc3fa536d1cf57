"""The one notification layer: every e-mail and SMS goes through :func:`notification_send`.

A message is recorded in the outbox under a key naming its intent (``invitation:42``,
``reminder:42:7``); a second call with the same key does nothing, so a periodic job run
twice or a redelivered task never sends twice. Delivery happens in a Celery task queued
after the surrounding transaction commits, and is retried on failure.
"""

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .enums import Channel
from .models import OutboxMessage
from .tasks import deliver_message


def _render(template: str, context: dict, *, channel: str) -> tuple[str, str, str]:
    ctx = {"mutuelle": settings.MUTUELLE, "site_url": settings.SITE_URL, **context}
    text = render_to_string(f"notifications/{template}.txt", ctx).strip()
    if channel == Channel.SMS:
        return "", text, ""
    subject = render_to_string(f"notifications/{template}.subject.txt", ctx)
    try:
        html = render_to_string(f"notifications/{template}.html", ctx)
    except TemplateDoesNotExist:
        html = ""
    return " ".join(subject.split()), text, html


def notification_send(
    *, key: str, channel: str, to: str, template: str, context: dict | None = None
) -> OutboxMessage | None:
    """Record the message once per ``key`` and queue its delivery after commit.

    Returns the new message, or ``None`` when this intent was already recorded.
    Templates: ``notifications/<template>.subject.txt`` (e-mail only), ``.txt`` and an
    optional ``.html``.
    """
    if not to:
        return None
    context = context or {}
    if OutboxMessage.objects.filter(key=key).exists():
        return None
    subject, text, html = _render(template, context, channel=channel)
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=key,
            defaults={
                "channel": channel,
                "recipient": str(to),
                "subject": subject[:250],
                "body_text": text,
                "body_html": html,
            },
        )
    if not created:
        return None
    transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message
