"""Invitation of a pre-affiliated employee, reminders (manual and automatic) and expiry.

The invitation link carries a random token; only its SHA-256 is stored. A new
invitation (or a reminder) revokes the previous links and issues a fresh one that
keeps the original expiry date (60 days after the first invitation). Once the employee
has activated the account, reminders point to the login page instead.

Automatic reminders and expiry run from Celery beat (``enrolment.tasks``). Each message
has a key naming its intent (``reminder:<enrolment id>:<day>``, ``expiry:<id>:<user>``):
running a job twice, or a worker redelivering it, sends nothing twice.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.models import OutboxMessage
from mutuelle.notifications import Notification, notification_send, notification_send_many
from mutuelle.pages import page_url

from ..enums import REMINDABLE_STATES, EnrolmentStatus, LinkKind, RequestType
from ..models import Enrolment, Request, RequestEvent
from .links import invitation_links_issue_many, link_issue, links_revoke, locked_invitation_ids
from .postal_login import has_postal_login

MANUAL_REMINDER_MIN_INTERVAL = dt.timedelta(hours=24)
EXPIRY_REASON = "Lien d'adhésion expiré (60 jours sans finalisation)"
REMINDER_BATCH_SIZE = 1000


class ReminderTooSoon(Exception):
    """A manual reminder was already sent to this employee in the last 24 hours."""

    def __init__(self, next_allowed_at: dt.datetime):
        self.next_allowed_at = next_allowed_at
        super().__init__(f"Prochaine relance possible le {next_allowed_at:%d/%m/%Y %H:%M}")


def _invitation_url(token: str) -> str:
    return page_url("member.invitation", token)


def _login_url() -> str:
    return settings.SITE_URL + reverse("account_login")


def _issue_link(enrolment: Enrolment) -> str:
    """Revoke earlier links and return the absolute URL of a fresh single-use link."""
    _link, raw = link_issue(kind=LinkKind.INVITATION, enrolment=enrolment)
    return _invitation_url(raw)


def _recipient(enrolment: Enrolment) -> str:
    """Where the employee is written to: the login once the account exists."""
    user = enrolment.employee.user
    if user is not None and not has_postal_login(user.email):
        return user.email
    # No account yet, or an account posted by letter (no real address: see
    # services/postal_letters.py): the address the employer gave, possibly none.
    return enrolment.employee.email


def invitation_link_issue(enrolment: Enrolment) -> str:
    """The link an e-mail inviting the employee (again) carries: the login page once the
    employee's account exists, otherwise a fresh single-use invitation link (earlier ones
    revoked). The reminders use it, and so do the dispensation e-mails that invite an
    employee back to enrol."""
    return _login_url() if enrolment.employee.user_id else _issue_link(enrolment)


def invitation_message_context(enrolment: Enrolment, link: str) -> dict:
    """What the invitation and reminder templates, and the dispensation e-mails that
    invite the employee back, read: the employee, company, enrolment, the ``link`` to
    follow, whether the account exists and when the invitation expires."""
    employee = enrolment.employee
    return {
        "employee": employee,
        "company": employee.company,
        "enrolment": enrolment,
        "link": link,
        "has_account": employee.user_id is not None,
        "expires_at": enrolment.expires_at,
    }


def enrolment_invite(*, enrolment: Enrolment, by=None) -> None:
    """Send the invitation e-mail once and move the enrolment to « invité ».

    Without an e-mail address the identifiers go by post (the two letters produced at
    pre-affiliation), so the enrolment is still invited, with its 60-day clock.
    """
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company")
            .get(pk=enrolment.pk)
        )
        if enrolment.status != EnrolmentStatus.PRE_AFFILIATED:
            return
        now = timezone.now()
        enrolment.invite(
            at=now,
            expires_at=now + dt.timedelta(days=settings.INVITATION_VALIDITY_DAYS),
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
                context=invitation_message_context(enrolment, link),
            )


def enrolment_remind(*, enrolment: Enrolment, by, key: str | None = None) -> None:
    """Re-send the invitation: a fresh link, or the login page once the account exists.

    Manual reminders (``key`` is None, from the correspondent's « Relancer ») are
    limited to one per 24 hours per employee; other callers pass their own key so that
    each intent is sent once.
    """
    with transaction.atomic():
        enrolment = (
            # Lock the enrolment row only: PostgreSQL refuses FOR UPDATE on the nullable
            # side of the outer join to the user.
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company", "employee__user")
            .get(pk=enrolment.pk)
        )
        if enrolment.status not in REMINDABLE_STATES:
            return
        request = enrolment.requests.get(type=RequestType.AFFILIATION)
        if key is None:
            now = timezone.now()
            last = (
                request.events.filter(label="Relance envoyée au salarié", actor__isnull=False)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
            # A link locked by wrong birth dates is re-sent at once: the employee is
            # on the phone with the correspondent.
            if (
                last
                and now - last < MANUAL_REMINDER_MIN_INTERVAL
                and not locked_invitation_ids([enrolment.pk])
            ):
                raise ReminderTooSoon(last + MANUAL_REMINDER_MIN_INTERVAL)
            count = request.events.filter(label="Relance envoyée au salarié").count()
            key = f"manual-reminder:{enrolment.pk}:{count + 1}"
        to = _recipient(enrolment)
        if not to or OutboxMessage.objects.filter(key=key).exists():
            return
        link = invitation_link_issue(enrolment)
        message = notification_send(
            key=key,
            channel=Channel.EMAIL,
            to=to,
            template="reminder",
            context=invitation_message_context(enrolment, link),
        )
        if message is not None:
            request.move_to(request.status, by=by, label="Relance envoyée au salarié")


def reminder_key(enrolment_id: int, day: int) -> str:
    return f"reminder:{enrolment_id}:{day}"


def _send_reminder_batch(batch: list[Enrolment], *, day: int, now: dt.datetime) -> int:
    """One batch of automatic reminders with a fixed number of queries, whatever its size."""
    ids = [e.pk for e in batch]
    keys = {e.pk: reminder_key(e.pk, day) for e in batch}
    with transaction.atomic():
        already = set(
            OutboxMessage.objects.filter(key__in=list(keys.values())).values_list("key", flat=True)
        )
        # A link locked by wrong birth dates waits for the correspondent's « Relancer »:
        # an automatic reminder must not give whoever holds the mailbox three more tries.
        locked = locked_invitation_ids(ids)
        to_send = [
            e for e in batch if keys[e.pk] not in already and _recipient(e) and e.pk not in locked
        ]
        # A fresh single-use link for those who have not activated their account yet.
        need_link = [e for e in to_send if e.employee.user_id is None]
        links: dict[int, str] = {}
        if need_link:
            raw_keys = invitation_links_issue_many(need_link, now=now)
            links = {pk: _invitation_url(raw) for pk, raw in raw_keys.items()}
        login = _login_url()
        created = notification_send_many(
            channel=Channel.EMAIL,
            template="reminder",
            notifications=[
                Notification(
                    key=keys[e.pk],
                    to=_recipient(e),
                    context=invitation_message_context(e, links.get(e.pk, login)),
                )
                for e in to_send
            ],
        )
        Enrolment.objects.filter(pk__in=ids).update(last_auto_reminder_day=day)
        sent_ids = {e.pk for e in to_send}
        if created:
            requests = Request.objects.filter(
                enrolment_id__in=sent_ids, type=RequestType.AFFILIATION
            ).values_list("pk", "status")
            RequestEvent.objects.bulk_create(
                [
                    RequestEvent(
                        request_id=pk,
                        at=now,
                        label=f"Relance automatique envoyée au salarié (J+{day})",
                        from_status=status,
                        to_status=status,
                    )
                    for pk, status in requests
                ],
                batch_size=1000,
            )
    return len(created)


def reminders_send_due(
    *, now: dt.datetime | None = None, batch_size: int = REMINDER_BATCH_SIZE
) -> int:
    """Send the automatic reminders due now (settings.INVITATION_REMINDER_DAYS).

    Latest day first: an employee whose earlier reminder was missed (a job that did not
    run) gets only the most recent one. Returns how many messages were created.
    """
    now = now or timezone.now()
    days = sorted(
        (d for d in settings.INVITATION_REMINDER_DAYS if d < settings.INVITATION_VALIDITY_DAYS),
        reverse=True,
    )
    total = 0
    for day in days:
        due = (
            Enrolment.objects.filter(
                status__in=REMINDABLE_STATES,
                invited_at__lte=now - dt.timedelta(days=day),
                expires_at__gt=now,
                last_auto_reminder_day__lt=day,
            )
            .select_related("employee__company", "employee__user")
            .order_by("pk")
        )
        last_pk = 0
        while True:
            batch = list(due.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            total += _send_reminder_batch(batch, day=day, now=now)
    return total


def enrolment_expire(*, enrolment: Enrolment, now: dt.datetime | None = None) -> bool:
    """Expire an enrolment whose 60 days have passed, and tell the correspondents once."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company")
            .get(pk=enrolment.pk)
        )
        if enrolment.status not in REMINDABLE_STATES or not enrolment.expires_at:
            return False
        if enrolment.expires_at > now:
            return False
        enrolment.expire(at=now, note=EXPIRY_REASON)
        links_revoke(kind=LinkKind.INVITATION, enrolment=enrolment, now=now)
        company = enrolment.employee.company
        for access in company.correspondent_accesses.select_related("user"):
            notification_send(
                key=f"expiry:{enrolment.pk}:{access.user_id}",
                channel=Channel.EMAIL,
                to=access.user.email,
                template="enrolment_expired",
                context={
                    "employee": enrolment.employee,
                    "company": company,
                    "enrolment": enrolment,
                    "reason": EXPIRY_REASON,
                    "link": page_url("employer.home", company.pk),
                },
            )
    return True


def enrolment_past_deadline(*, enrolment: Enrolment, now: dt.datetime | None = None) -> bool:
    """Whether the 60 days to finish this enrolment are over. Checked on every request
    of the wizard, the signature and the dispensation (not only by the nightly job): an
    enrolment found past its deadline is expired at once."""
    now = now or timezone.now()
    if enrolment.status == EnrolmentStatus.EXPIRED:
        return True
    if enrolment.status not in REMINDABLE_STATES or not enrolment.expires_at:
        return False
    if enrolment.expires_at > now:
        return False
    enrolment_expire(enrolment=enrolment, now=now)
    enrolment.refresh_from_db(fields=["status", "ended_at"])
    return True


DEADLINE_PASSED = (
    "Le délai de 60 jours pour finaliser votre adhésion est dépassé : votre entreprise en a "
    "été informée. Contactez son service des ressources humaines, qui peut vous inviter de "
    "nouveau."
)


def enrolments_expire_due(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(
        Enrolment.objects.filter(status__in=REMINDABLE_STATES, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(enrolment_expire(enrolment=Enrolment(pk=pk), now=now) for pk in ids)
