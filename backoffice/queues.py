"""The back office's home: every work queue with its count, the age of its oldest item
and a link to the filtered list. One aggregate query per queue (member requests: one
for all their queues), whatever the number of items."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils import timezone

from conversations.enums import ConversationStatus
from conversations.models import Complaint, Conversation
from dispensations.enums import DispensationStatus
from dispensations.models import Dispensation
from enrolment.enums import EnrolmentStatus, TerminationStatus
from enrolment.models import Enrolment, PostalLetter, Termination
from enrolment.signature.models import SignedEnrolment
from member_requests.enums import MemberRequestStatus
from member_requests.models import MemberRequest

# Member requests waiting for the back office (the others wait for the member, or are
# decided).
WAITING_MEMBER_REQUEST = (MemberRequestStatus.SUBMITTED, MemberRequestStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    oldest: dt.datetime | None
    url: str

    @property
    def oldest_days(self) -> int | None:
        if self.oldest is None:
            return None
        return (timezone.now() - self.oldest).days


def _url(model, **filters) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _queue(label: str, queryset: QuerySet, since: str, url: str) -> Queue:
    summary = queryset.aggregate(count=Count("pk"), oldest=Min(since))
    return Queue(label, summary["count"], summary["oldest"], url)


def _member_request_queues() -> list[Queue]:
    """One row per member-request queue registered in the admin (each names its kinds),
    from one grouped query."""
    by_kind = {
        row["kind"]: row
        for row in MemberRequest.objects.filter(status__in=WAITING_MEMBER_REQUEST)
        .values("kind")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by()
    }
    queues = []
    for model, model_admin in admin.site._registry.items():
        kinds = getattr(model_admin, "kinds", None)
        if not kinds or not issubclass(model, MemberRequest):
            continue
        rows = [by_kind[kind] for kind in kinds if kind in by_kind]
        oldest = min((row["oldest"] for row in rows), default=None)
        queues.append(
            Queue(
                str(model._meta.verbose_name_plural).capitalize(),
                sum(row["count"] for row in rows),
                oldest,
                _url(model, status__in=",".join(WAITING_MEMBER_REQUEST)),
            )
        )
    return sorted(queues, key=lambda queue: queue.label)


def backoffice_queues() -> list[Queue]:
    return [
        _queue(
            "Adhésions signées à valider",
            Enrolment.objects.filter(status=EnrolmentStatus.SIGNED),
            "signed_at",
            _url(SignedEnrolment),
        ),
        _queue(
            "Dispenses à examiner",
            Dispensation.objects.filter(status=DispensationStatus.SUBMITTED),
            "updated_at",
            _url(Dispensation, status__exact=DispensationStatus.SUBMITTED),
        ),
        _queue(
            "Résiliations à traiter",
            Termination.objects.filter(status=TerminationStatus.SUBMITTED),
            "created_at",
            _url(Termination, status__exact=TerminationStatus.SUBMITTED),
        ),
        _queue(
            "Courriers à poster",
            PostalLetter.objects.filter(printed_at__isnull=True),
            "created_at",
            _url(PostalLetter, printed_at__isempty=1),
        ),
        _queue(
            "Messages adhérents en attente de réponse",
            Conversation.objects.filter(
                status=ConversationStatus.AWAITING_ADVISOR, is_complaint=False
            ),
            "awaiting_since",
            _url(
                Conversation,
                status__exact=ConversationStatus.AWAITING_ADVISOR,
                is_complaint__exact=0,
            ),
        ),
        _queue(
            "Réclamations en attente de réponse",
            Conversation.objects.filter(
                status=ConversationStatus.AWAITING_ADVISOR, is_complaint=True
            ),
            "awaiting_since",
            _url(Complaint, status__exact=ConversationStatus.AWAITING_ADVISOR),
        ),
        *_member_request_queues(),
    ]
