"""The one notification layer: every e-mail and SMS goes through :func:`notification_send`.

A message is recorded in the outbox under a key naming its intent (``invitation:42``,
``reminder:42:7``); a second call with the same key does nothing, so a periodic job run
twice or a redelivered task never sends twice. Delivery happens in a Celery task queued
after the surrounding transaction commits, and is retried on failure.

Every e-mail is sent as HTML with its plain-text alternative. The text template is the
one source of the words; the HTML part is that text laid out by
``notifications/email_base.html`` (the mutuelle's identity, inline styles, one column
that fits a phone), so both parts always carry the same words and the same links.
A call to action is written in the text as a short line ending with « : » followed by
the link alone on the next line; the HTML shows it as a button with that label.

Context values named in ``SECRET_CONTEXT_KEYS`` (a link carrying a token, a code) are
secrets: the stored text holds a mark in their place, and the values are stored
encrypted beside it until delivery (see ``OutboxMessage``).
"""

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .enums import Channel, MessageStatus
from .models import OutboxMessage
from .tasks import deliver_message, deliver_messages

# Size of one delivery task of a bulk send: one SMTP connection and one UPDATE per chunk.
DELIVERY_CHUNK_SIZE = 500


def plain_text_template(name: str):
    """A template rendered as plain text: values are never HTML-escaped."""
    return engines["plain_text"].get_template(name)


def render_plain_text(name: str, context: dict) -> str:
    return plain_text_template(name).render(context)


# Template context names whose values open an account or sign: invitation and
# confirmation links, password-reset links, signature codes.
SECRET_CONTEXT_KEYS = frozenset({"link", "password_reset_url", "code"})


def _split_secrets(context: dict) -> tuple[dict, str]:
    """The context with a mark in place of each secret, and the secrets as JSON."""
    secrets = {k: str(v) for k, v in context.items() if k in SECRET_CONTEXT_KEYS and v}
    marked = {**context, **{k: f"[secret:{k}]" for k in secrets}}
    return marked, json.dumps(secrets) if secrets else ""


# A link in a message's text: a web address (without the punctuation that may end the
# sentence around it) or the mark standing for a secret link until delivery.
LINK_RE = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)»]|\[secret:[a-z_]+\]")
# The longest line read as a button's label (« Adhérer au contrat d'entreprise : »).
ACTION_LABEL_MAX = 60


def _linked(line: str) -> str:
    """One line of text, HTML-escaped, its links made clickable."""
    parts, last = [], 0
    for match in LINK_RE.finditer(line):
        url = match.group()
        parts.append(line[last : match.start()])
        parts.append(format_html('<a href="{}" style="color:#0b4f8a">{}</a>', url, url))
        last = match.end()
    parts.append(line[last:])
    return format_html_join("", "{}", ((part,) for part in parts))


def _is_action_label(line: str) -> bool:
    return line.endswith(":") and len(line) <= ACTION_LABEL_MAX and not LINK_RE.search(line)


def _paragraph_blocks(lines: list[str]) -> list[dict]:
    """One paragraph's lines as blocks: a short « … : » line followed by a link alone is
    a ``button``; lines starting with « - » a ``list``; other lines a ``paragraph``."""
    blocks: list[dict] = []

    def add(kind: str, line: str) -> None:
        if blocks and blocks[-1]["kind"] == kind:
            blocks[-1]["lines"].append(_linked(line))
        else:
            blocks.append({"kind": kind, "lines": [_linked(line)]})

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        previous = lines[index - 1] if index else ""
        if _is_action_label(line) and LINK_RE.fullmatch(following):
            continue  # the button below carries it
        if LINK_RE.fullmatch(line) and _is_action_label(previous):
            label = previous.rstrip(" :\u00a0")
            blocks.append({"kind": "button", "label": label, "url": line})
        elif line.startswith("- "):
            add("list", line[2:])
        else:
            add("paragraph", line)
    return blocks


def _blocks(text: str) -> list[dict]:
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        blocks += _paragraph_blocks([line.strip() for line in chunk.splitlines() if line.strip()])
    return blocks


def email_html(*, subject: str, text: str) -> str:
    """The HTML part of an e-mail: its text in the mutuelle's layout (values escaped)."""
    return render_to_string(
        "notifications/email_base.html",
        {
            "subject": subject,
            "blocks": _blocks(text),
            "mutuelle": settings.MUTUELLE,
            "site_url": settings.SITE_URL,
        },
    )


def notification_render(template: str, context: dict, *, channel: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a message (subject and HTML empty for an SMS)."""
    ctx = {"mutuelle": settings.MUTUELLE, "site_url": settings.SITE_URL, **context}
    text = render_plain_text(f"notifications/{template}.txt", ctx).strip()
    if channel == Channel.SMS:
        return "", text, ""
    subject = " ".join(render_plain_text(f"notifications/{template}.subject.txt", ctx).split())
    return subject, text, email_html(subject=subject, text=text)


def notification_send(
    *,
    key: str,
    channel: str,
    to: str,
    template: str,
    context: dict | None = None,
    attachment: str = "",
) -> OutboxMessage | None:
    """Record the message once per ``key`` and queue its delivery after commit.

    Returns the new message, or ``None`` when this intent was already recorded.
    Templates: ``notifications/<template>.subject.txt`` (e-mail only) and ``.txt``.
    ``attachment``: the storage name of a PDF sent with the e-mail.
    """
    if not to:
        return None
    context = context or {}
    if OutboxMessage.objects.filter(key=key).exists():
        return None
    context, secrets = _split_secrets(context)
    subject, text, html = notification_render(template, context, channel=channel)
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=key,
            defaults={
                "channel": channel,
                "recipient": str(to),
                "subject": subject[:250],
                "text_stored": text,
                "html_stored": html,
                "secrets": secrets,
                "attachment": attachment,
            },
        )
    if not created:
        return None
    transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message


@dataclass(frozen=True)
class Notification:
    """One message of a bulk send: its intent key, recipient and template context."""

    key: str
    to: str
    context: dict


def notification_send_many(
    *,
    channel: str,
    template: str,
    notifications: Iterable[Notification],
    attachment: str = "",
) -> list[int]:
    """Bulk form of :func:`notification_send` for periodic jobs (same idempotency);
    ``attachment`` (a stored PDF's name) goes with every message.

    Keys already in the outbox are skipped; the rows are inserted in one statement that
    ignores a concurrent insert of the same key, and only the messages created by this
    call are queued for delivery, in chunks, after commit. Returns their ids.
    """
    wanted = {n.key: n for n in notifications if n.to}
    if not wanted:
        return []
    existing = set(OutboxMessage.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    fresh = [n for key, n in wanted.items() if key not in existing]
    if not fresh:
        return []
    base = {"mutuelle": settings.MUTUELLE, "site_url": settings.SITE_URL}
    text_template = plain_text_template(f"notifications/{template}.txt")
    subject_template = None
    if channel == Channel.EMAIL:
        subject_template = plain_text_template(f"notifications/{template}.subject.txt")
    rows = []
    for n in fresh:
        context, secrets = _split_secrets(n.context)
        ctx = {**base, **context}
        subject = " ".join(subject_template.render(ctx).split()) if subject_template else ""
        text = text_template.render(ctx).strip()
        rows.append(
            OutboxMessage(
                key=n.key,
                channel=channel,
                recipient=str(n.to),
                subject=subject[:250],
                text_stored=text,
                html_stored=email_html(subject=subject, text=text) if subject_template else "",
                secrets=secrets,
                attachment=attachment,
            )
        )
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        # A concurrent run may have inserted some of these keys first: delivering them
        # twice is harmless (delivery skips sent messages), and each is sent once.
        ids = list(
            OutboxMessage.objects.filter(
                key__in=[n.key for n in fresh], status=MessageStatus.PENDING
            ).values_list("pk", flat=True)
        )
    _queue_in_chunks(ids)
    return ids


def _queue_in_chunks(ids: list[int]) -> None:
    for start in range(0, len(ids), DELIVERY_CHUNK_SIZE):
        chunk = ids[start : start + DELIVERY_CHUNK_SIZE]
        transaction.on_commit(lambda chunk=chunk: deliver_messages.delay(chunk))


def outbox_requeue_stale(*, older_than: dt.timedelta) -> int:
    """Queue again the messages still pending ``older_than`` after they were queued
    (lost by the broker, or by a worker that died). Harmless when the first delivery is
    merely late: delivery locks the row and skips a message already sent."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, queued_at__lt=now - older_than)
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=ids).update(queued_at=now)
        _queue_in_chunks(ids)
    return len(ids)


def outbox_resend(*, message_ids: Iterable[int]) -> int:
    """Back office « Renvoyer »: messages in error go back to pending and are queued."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=list(message_ids), status=MessageStatus.FAILED)
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=MessageStatus.PENDING, queued_at=timezone.now()
        )
        _queue_in_chunks(ids)
    return len(ids)
