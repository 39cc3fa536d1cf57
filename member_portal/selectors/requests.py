"""« Mes demandes »: every request of the member in one list — the affiliation, the
dispensation (the company timeline's requests of the employee) and the member
requests — in a constant number of queries whatever their count.

Scoping is by the logged-in user (``employee__user``): nobody else's request can be
listed, and a correspondent sees none of them here.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from dispensations.enums import UNDECIDED_STATES as DISPENSATION_UNDECIDED
from dispensations.enums import DispensationStatus
from dispensations.models import DispensationProof
from enrolment.enums import ENDED_STATES, EnrolmentStatus, RequestType
from enrolment.models import Request, RequestEvent
from member_requests.enums import MemberRequestStatus
from member_requests.models import MemberRequest, MemberRequestDocument, MemberRequestEvent

MS = MemberRequestStatus
# Tone of a status badge: « en cours », « acceptée », « refusée ».
OPEN, ACCEPTED, REFUSED = "open", "accepted", "refused"
AFFILIATION_OPEN = frozenset(
    {
        EnrolmentStatus.PRE_AFFILIATED,
        EnrolmentStatus.INVITED,
        EnrolmentStatus.IN_PROGRESS,
        EnrolmentStatus.SIGNED,
        EnrolmentStatus.DISPENSATION_REQUESTED,
    }
)


@dataclass
class HistoryLine:
    at: dt.datetime
    label: str
    note: str
    who: str


@dataclass
class DocumentLink:
    name: str
    url: str


@dataclass
class RequestItem:
    key: str
    title: str
    number: str
    sent_at: dt.datetime
    status: str
    tone: str
    is_open: bool
    message: str = ""
    refusal_reason: str = ""
    history: list[HistoryLine] = field(default_factory=list)
    documents: list[DocumentLink] = field(default_factory=list)
    complete_url: str = ""
    withdraw_url: str = ""


def _who(actor, user) -> str:
    if actor is None:
        return "Automatique"
    if actor.pk == user.pk:
        return "Vous"
    if actor.is_staff:
        return "Centre de gestion"
    return "Votre employeur"


def _answer_links(member_request: MemberRequest) -> list[DocumentLink]:
    """The mutuelle's answer filed with the request (a quote's answer, a PDF that is
    also in « Mes documents »)."""
    estimate = getattr(member_request, "estimate_request", None)
    document = estimate.answer_document if estimate else None
    if document is None:
        return []
    return [
        DocumentLink(
            f"Réponse de la mutuelle — {document.filename}",
            reverse("member_portal:document_file", args=[document.pk]),
        )
    ]


def _member_request_item(member_request: MemberRequest, user) -> RequestItem:
    status = member_request.status
    tone = {MS.ACCEPTED: ACCEPTED, MS.REFUSED: REFUSED, MS.WITHDRAWN: REFUSED}.get(status, OPEN)
    return RequestItem(
        key=f"demande-{member_request.pk}",
        title=member_request.get_kind_display(),
        number=member_request.number,
        sent_at=member_request.created_at,
        status=member_request.get_status_display(),
        tone=tone,
        is_open=member_request.is_undecided,
        message=member_request.back_office_message if status == MS.AWAITING_COMPLEMENT else "",
        refusal_reason=member_request.refusal_reason if status == MS.REFUSED else "",
        history=[
            HistoryLine(e.at, e.label, e.note, _who(e.actor, user)) for e in member_request.history
        ],
        documents=[
            DocumentLink(
                f"{d.label} — {d.original_name}" if d.label else d.original_name,
                reverse("member_portal:request_document", args=[member_request.pk, d.pk]),
            )
            for d in member_request.documents.all()
        ]
        + _answer_links(member_request),
        complete_url=reverse("member_portal:request_complete", args=[member_request.pk])
        if status == MS.AWAITING_COMPLEMENT
        else "",
        withdraw_url=reverse("member_portal:request_withdraw", args=[member_request.pk])
        if member_request.is_undecided
        else "",
    )


def _timeline_item(request: Request, user) -> RequestItem:
    history = [HistoryLine(e.at, e.label, e.note, _who(e.actor, user)) for e in request.history]
    if request.type == RequestType.DISPENSATION:
        dispensation = request.dispensation
        status = dispensation.status
        tone = {
            DispensationStatus.ACCEPTED: ACCEPTED,
            DispensationStatus.ENDED: ACCEPTED,
            DispensationStatus.REFUSED: REFUSED,
            DispensationStatus.WITHDRAWN: REFUSED,
        }.get(status, OPEN)
        undecided = status in DISPENSATION_UNDECIDED
        return RequestItem(
            key=f"dispense-{dispensation.pk}",
            title="Dispense d'adhésion",
            number=request.number,
            sent_at=request.created_at,
            status=dispensation.get_status_display(),
            tone=tone,
            is_open=undecided,
            message=dispensation.back_office_message
            if status == DispensationStatus.AWAITING_COMPLEMENT
            else "",
            refusal_reason=dispensation.refusal_reason
            if status == DispensationStatus.REFUSED
            else "",
            history=history,
            documents=[
                DocumentLink(
                    p.original_name,
                    reverse("member_portal:dispensation_proof", args=[dispensation.pk, p.pk]),
                )
                for p in dispensation.proofs.all()
            ],
            complete_url=reverse("member_portal:dispensation_complete", args=[dispensation.pk])
            if status == DispensationStatus.AWAITING_COMPLEMENT
            else "",
            withdraw_url=reverse("member_portal:dispensation_withdraw", args=[dispensation.pk])
            if undecided
            else "",
        )
    enrolment = request.enrolment
    status = enrolment.status
    if status in ENDED_STATES and status != EnrolmentStatus.TERMINATED:
        tone = REFUSED
    else:
        tone = OPEN if status in AFFILIATION_OPEN else ACCEPTED
    signed = enrolment.signed_at is not None
    return RequestItem(
        key=f"affiliation-{request.pk}",
        title="Affiliation",
        number=request.number,
        sent_at=request.created_at,
        status=enrolment.member_status_label,
        tone=tone,
        is_open=status in AFFILIATION_OPEN,
        history=history,
        documents=[
            DocumentLink(
                "Dossier d'adhésion signé (PDF)",
                reverse("member_portal:signature_dossier", args=[enrolment.pk]),
            )
        ]
        if signed
        else [],
    )


def member_requests_page(user) -> tuple[list[RequestItem], list[RequestItem]]:
    """(en cours, traitées), most recent first. Six queries."""
    actor_events = RequestEvent.objects.select_related("actor").order_by("at", "id")
    timeline = (
        Request.objects.filter(
            employee__user=user, type__in=[RequestType.AFFILIATION, RequestType.DISPENSATION]
        )
        .select_related("enrolment", "dispensation")
        .prefetch_related(
            Prefetch("events", queryset=actor_events, to_attr="history"),
            Prefetch(
                "dispensation__proofs", queryset=DispensationProof.objects.order_by("uploaded_at")
            ),
        )
    )
    member_requests = (
        MemberRequest.objects.visible_to(user)
        .filter(enrolment__employee__user=user)
        .select_related("estimate_request__answer_document")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=MemberRequestEvent.objects.select_related("actor").order_by("at", "id"),
                to_attr="history",
            ),
            Prefetch("documents", queryset=MemberRequestDocument.objects.order_by("uploaded_at")),
        )
    )
    items = [_timeline_item(r, user) for r in timeline]
    items += [_member_request_item(r, user) for r in member_requests]
    items.sort(key=lambda item: item.sent_at, reverse=True)
    return [i for i in items if i.is_open], [i for i in items if not i.is_open]
