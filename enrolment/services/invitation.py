"""Invitation of a pre-affiliated employee and reminders.

The invitation link carries a random token; only its SHA-256 is stored. A new
invitation (or a reminder) revokes the previous links and issues a fresh one that
keeps the original expiry date (60 days after the first invitation).
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.models import OutboxMessage
from mutuelle.notifications import notification_send

from ..enums import EnrolmentStatus
from ..models import Enrolment, InvitationToken

MANUAL_REMINDER_MIN_INTERVAL = dt.timedelta(hours=24)


class ReminderTooSoon(Exception):
    """A manual reminder was already sent to this employee in the last 24 hours."""

    def __init__(self, next_allowed_at: dt.datetime):
        self.next_allowed_at = next_allowed_at
        super().__init__(f"Prochaine relance possible le {next_allowed_at:%d/%m/%Y %H:%M}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_invitation_token(token: str) -> InvitationToken | None:
    return (
        InvitationToken.objects.select_related("enrolment__employee__company")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _issue_link(enrolment: Enrolment) -> str:
    """Revoke earlier links and return the absolute URL of a fresh single-use link."""
    now = timezone.now()
    enrolment.invitation_tokens.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    InvitationToken.objects.create(
        enrolment=enrolment, token_hash=hash_token(token), expires_at=enrolment.expires_at
    )
    return settings.SITE_URL + reverse("member_portal:invitation", args=[token])


def _message_context(enrolment: Enrolment, link: str) -> dict:
    employee = enrolment.employee
    return {
        "employee": employee,
        "company": employee.company,
        "enrolment": enrolment,
        "link": link,
        "expires_at": enrolment.expires_at,
    }


def enrolment_invite(*, enrolment: Enrolment, by=None) -> None:
    """Send the invitation e-mail once and move the enrolment to « invité ».

    Without an e-mail address the identifiers go by post (the two letters produced at
    pre-affiliation), so the enrolment is still invited, with its 60-day clock.
    """
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("employee__company")
            .get(pk=enrolment.pk)
        )
        if enrolment.status != EnrolmentStatus.PRE_AFFILIATED:
            return
        now = timezone.now()
        enrolment.invited_at = now
        enrolment.expires_at = now + dt.timedelta(days=settings.INVITATION_VALIDITY_DAYS)
        enrolment.save(update_fields=["invited_at", "expires_at", "updated_at"])
        enrolment.transition(
            EnrolmentStatus.INVITED,
            by=by,
            label="Invitation envoyée au salarié"
            if enrolment.employee.email
            else "Identifiants envoyés par courrier au salarié",
        )
        if enrolment.employee.email:
            link = _issue_link(enrolment)
            notification_send(
                key=f"invitation:{enrolment.pk}",
                channel=Channel.EMAIL,
                to=enrolment.employee.email,
                template="invitation",
                context=_message_context(enrolment, link),
            )


def enrolment_remind(*, enrolment: Enrolment, by, key: str | None = None) -> None:
    """Re-send the invitation with a fresh link.

    Manual reminders (``key`` is None, from the correspondent's « Relancer ») are
    limited to one per 24 hours per employee; automatic ones pass their own key
    (``reminder:<id>:<day>``) so that each is sent once.
    """
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("employee__company")
            .get(pk=enrolment.pk)
        )
        if enrolment.status not in {EnrolmentStatus.INVITED, EnrolmentStatus.IN_PROGRESS}:
            return
        request = enrolment.requests.get(type="affiliation")
        if key is None:
            now = timezone.now()
            last = (
                request.events.filter(label="Relance envoyée au salarié", actor__isnull=False)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
            if last and now - last < MANUAL_REMINDER_MIN_INTERVAL:
                raise ReminderTooSoon(last + MANUAL_REMINDER_MIN_INTERVAL)
            count = request.events.filter(label="Relance envoyée au salarié").count()
            key = f"manual-reminder:{enrolment.pk}:{count + 1}"
        if not enrolment.employee.email or OutboxMessage.objects.filter(key=key).exists():
            return
        link = _issue_link(enrolment)
        message = notification_send(
            key=key,
            channel=Channel.EMAIL,
            to=enrolment.employee.email,
            template="reminder",
            context=_message_context(enrolment, link),
        )
        if message is not None:
            request.move_to(request.status, by=by, label="Relance envoyée au salarié")
