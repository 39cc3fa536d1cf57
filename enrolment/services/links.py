"""The whole life of a single-use e-mailed link (``SingleUseLink``): issue, find, check,
consume, revoke.

A link's key is random (``secrets.token_urlsafe``); only its SHA-256 is stored, so the
database alone never opens anything. A link is usable once, until its expiry, and not
after a newer link of the same kind for the same target revoked it. ``link_consume``
locks the row and marks it used inside the caller's transaction: two submissions of
the same link can never both act, and if the caller's work fails the link stays usable.

States (what the pages explain to the person): ``valid``, ``used``, ``expired``,
``locked`` (too many wrong answers to the link's check: only a newer link opens the
account) and ``unknown`` (never issued, or revoked because a newer link was sent).
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..enums import EnrolmentStatus, LinkKind
from ..models import Enrolment, SingleUseLink

VALID = "valid"
USED = "used"
EXPIRED = "expired"
LOCKED = "locked"
UNKNOWN = "unknown"

# How long each kind stays valid. An invitation lives as long as its enrolment's
# 60-day window (``Enrolment.expires_at``), whatever the day it is re-sent.
VALIDITY = {
    LinkKind.EMAIL_CONFIRMATION: dt.timedelta(days=7),
    LinkKind.ACCOUNT_ACTIVATION: dt.timedelta(hours=24),
}


class LinkNotUsable(Exception):
    """The link is unknown, revoked, used or expired (``state`` says which)."""

    def __init__(self, state: str):
        self.state = state
        super().__init__(state)


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def _target_filter(*, enrolment: Enrolment | None, user) -> dict:
    if enrolment is not None:
        return {"enrolment": enrolment}
    if user is not None:
        return {"user": user}
    raise ValueError("A link points to an enrolment or a user.")


def _expiry(kind: str, *, enrolment: Enrolment | None, now: dt.datetime) -> dt.datetime:
    if kind == LinkKind.INVITATION:
        return enrolment.expires_at
    return now + VALIDITY[kind]


def links_revoke(
    *, kind: str, enrolment: Enrolment | None = None, user=None, now: dt.datetime | None = None
) -> int:
    """Stop every open link of this kind for this target (a newer one was sent, or the
    enrolment ended)."""
    return SingleUseLink.objects.filter(
        kind=kind,
        used_at__isnull=True,
        revoked_at__isnull=True,
        **_target_filter(enrolment=enrolment, user=user),
    ).update(revoked_at=now or timezone.now())


def link_issue(
    *,
    kind: str,
    enrolment: Enrolment | None = None,
    user=None,
    email: str = "",
    data: dict | None = None,
) -> tuple[SingleUseLink, str]:
    """Revoke the target's earlier links of this kind and create a fresh one.

    Returns the row and the raw key: the key goes into the e-mail and nowhere else.
    """
    now = timezone.now()
    with transaction.atomic():
        links_revoke(kind=kind, enrolment=enrolment, user=user, now=now)
        raw = _new_key()
        link = SingleUseLink.objects.create(
            kind=kind,
            key_hash=hash_key(raw),
            enrolment=enrolment,
            user=user,
            email=email,
            data=data or {},
            created_at=now,
            expires_at=_expiry(kind, enrolment=enrolment, now=now),
        )
    return link, raw


def invitation_links_issue_many(
    enrolments: Iterable[Enrolment], *, now: dt.datetime
) -> dict[int, str]:
    """Fresh invitation links for many enrolments in a fixed number of queries (the
    automatic reminders): ``{enrolment id: raw key}``. The caller owns the transaction."""
    enrolments = list(enrolments)
    SingleUseLink.objects.filter(
        kind=LinkKind.INVITATION,
        enrolment_id__in=[e.pk for e in enrolments],
        used_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    keys = {e.pk: _new_key() for e in enrolments}
    SingleUseLink.objects.bulk_create(
        [
            SingleUseLink(
                kind=LinkKind.INVITATION,
                key_hash=hash_key(keys[e.pk]),
                enrolment_id=e.pk,
                created_at=now,
                expires_at=e.expires_at,
            )
            for e in enrolments
        ],
        batch_size=1000,
    )
    return keys


def _links(kind: str):
    return SingleUseLink.objects.filter(kind=kind).select_related(
        "enrolment__employee__company", "user"
    )


def link_find(raw_key: str, *, kind: str) -> SingleUseLink | None:
    """The link of this kind with this key, or None (to show the page it opens)."""
    return _links(kind).filter(key_hash=hash_key(raw_key)).first()


def link_state(link: SingleUseLink | None, *, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if link is None or link.revoked_at is not None:
        return UNKNOWN
    if link.used_at is not None:
        return USED
    if link.locked_at is not None:
        return LOCKED
    # An employee's account is created once, whichever link created it.
    creates_account = link.kind in {LinkKind.INVITATION, LinkKind.ACCOUNT_ACTIVATION}
    if creates_account and link.enrolment.employee.user_id is not None:
        return USED
    if link.expires_at <= now:
        return EXPIRED
    if link.kind == LinkKind.INVITATION and link.enrolment.status != EnrolmentStatus.INVITED:
        return EXPIRED
    return VALID


def link_lock(raw_key: str, *, kind: str, now: dt.datetime | None = None) -> SingleUseLink:
    """Lock the link row and check it is still valid (raises ``LinkNotUsable``). Inside
    a transaction: the caller then marks it used or counts a failed check."""
    # Lock the link row only: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer joins to the enrolment and the user.
    link = _links(kind).select_for_update(of=("self",)).filter(key_hash=hash_key(raw_key)).first()
    state = link_state(link, now=now)
    if state != VALID:
        raise LinkNotUsable(state)
    return link


def link_consume(raw_key: str, *, kind: str, now: dt.datetime | None = None) -> SingleUseLink:
    """Lock the link, check it is still valid and mark it used.

    Call it inside the transaction that does what the link allows: a failure there
    rolls the use back (outside a transaction Django refuses the row lock). Raises
    ``LinkNotUsable``.
    """
    now = now or timezone.now()
    return link_use(link_lock(raw_key, kind=kind, now=now), now=now)


def link_use(link: SingleUseLink, *, now: dt.datetime | None = None) -> SingleUseLink:
    """Mark a link locked by ``link_lock`` used."""
    link.used_at = now or timezone.now()
    link.save(update_fields=["used_at"])
    return link


def link_check_failed(
    link: SingleUseLink, *, max_failures: int, now: dt.datetime | None = None
) -> int:
    """Count a wrong answer on a link locked by ``link_lock``; at ``max_failures`` the
    link is locked for good. Returns the tries left (0 once locked). The caller must
    let its transaction commit (raise after it) or the count is lost."""
    link.failed_checks += 1
    if link.failed_checks >= max_failures:
        link.locked_at = now or timezone.now()
    link.save(update_fields=["failed_checks", "locked_at"])
    return max(max_failures - link.failed_checks, 0)


def locked_invitation_ids(enrolment_ids: Iterable[int]) -> set[int]:
    """The enrolments among these whose current invitation link is locked."""
    return set(
        SingleUseLink.objects.filter(
            kind=LinkKind.INVITATION,
            enrolment_id__in=list(enrolment_ids),
            used_at__isnull=True,
            revoked_at__isnull=True,
            locked_at__isnull=False,
        ).values_list("enrolment_id", flat=True)
    )


def link_sent_since(*, kind: str, enrolment: Enrolment, email: str, since: dt.datetime) -> bool:
    """Whether an open link of this kind went to this address after ``since`` (a double
    submission must not send a second one)."""
    return SingleUseLink.objects.filter(
        kind=kind,
        enrolment=enrolment,
        email=email,
        used_at__isnull=True,
        revoked_at__isnull=True,
        created_at__gt=since,
    ).exists()


def link_pending(*, kind: str, user) -> SingleUseLink | None:
    """The newest open link of this kind for this account (e.g. the personal address
    waiting for confirmation)."""
    return (
        SingleUseLink.objects.filter(
            kind=kind,
            user=user,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
