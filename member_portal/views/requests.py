"""« Mes demandes » (en cours, traitées: status, history, documents, « Compléter ma
demande », withdrawal) and « Faire une autre demande ».

Every lookup is scoped to the logged-in member (``MemberRequest.objects.visible_to``
and ``enrolment__employee__user``): another member's request answers 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from enrolment.models import Enrolment
from member_requests.enums import MemberRequestKind, MemberRequestStatus
from member_requests.models import MemberRequest, MemberRequestDocument
from member_requests.portability import open_portability
from member_requests.services import (
    member_request_complete,
    member_request_submit,
    member_request_withdraw,
)
from mutuelle.uploads import serve_proof

from ..access import member_required
from ..forms.requests import CompleteForm, FreeMessageForm, apply_service_errors
from ..selectors.requests import member_requests_page

K = MemberRequestKind


@dataclass(frozen=True)
class RequestType:
    label: str
    url_name: str
    help: str = ""
    # Offered only when this holds for the member's enrolment.
    applies: Callable[[Enrolment], bool] = lambda enrolment: True


# The request types « Faire une autre demande » offers (each with its own page).
REQUEST_TYPES = [
    RequestType(
        "Adjonction de bénéficiaire",
        "member_portal:beneficiary_add",
        "Conjoint, partenaire de PACS, concubin(e) ou enfant, avec l'attestation Vitale.",
    ),
    RequestType(
        "Retrait de bénéficiaire",
        "member_portal:beneficiary_remove",
        "Divorce ou séparation, enfant au-delà de la limite d'âge, couverture ailleurs.",
        applies=lambda enrolment: enrolment.beneficiaries.filter(
            covered_until__isnull=True
        ).exists(),
    ),
    RequestType(
        "Faire une déclaration de portabilité",
        "member_portal:portability",
        "Après la fin de votre contrat de travail : attestation France Travail, fin de la "
        "portabilité.",
        applies=lambda enrolment: open_portability(enrolment) is not None,
    ),
    RequestType(
        "Modification de RIB de cotisation",
        "member_portal:contribution_account",
        "Nouveau compte de prélèvement, avec un nouveau mandat SEPA signé par code SMS.",
    ),
    RequestType(
        "Modification de RIB de prestation",
        "member_portal:benefit_account",
        "Compte sur lequel vos remboursements (ou ceux d'un bénéficiaire) sont versés.",
    ),
]


def request_types_for(enrolment: Enrolment) -> list[dict]:
    return [
        {"label": t.label, "url": reverse(t.url_name), "help": t.help}
        for t in REQUEST_TYPES
        if t.applies(enrolment)
    ]


def _own_request(request, pk: int) -> MemberRequest:
    return get_object_or_404(
        MemberRequest.objects.visible_to(request.user).filter(
            enrolment__employee__user=request.user
        ),
        pk=pk,
    )


@member_required
@require_GET
def requests_list(request, enrolment):
    current, closed = member_requests_page(request.user)
    return render(
        request,
        "member_portal/requests/list.html",
        {"current": current, "closed": closed},
    )


@member_required
@require_GET
def request_document(request, enrolment, pk: int, document_pk: int):
    member_request = _own_request(request, pk)
    document = get_object_or_404(MemberRequestDocument, request=member_request, pk=document_pk)
    return serve_proof(document)


@member_required
@require_http_methods(["GET", "POST"])
def request_complete(request, enrolment, pk: int):
    member_request = _own_request(request, pk)
    if member_request.status != MemberRequestStatus.AWAITING_COMPLEMENT:
        messages.info(request, "Cette demande n'attend pas de complément.")
        return redirect("member_portal:requests")
    already = member_request.documents.count()
    form = CompleteForm(request.POST or None, request.FILES or None, already_attached=already)
    if request.method == "POST" and form.is_valid():
        try:
            member_request_complete(
                member_request=member_request,
                by=request.user,
                message=form.cleaned_data["message"],
                documents=[("Complément", f) for f in form.cleaned_data["documents"]],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, "Merci, votre demande complétée est transmise au centre de gestion."
            )
            return redirect("member_portal:requests")
    return render(
        request,
        "member_portal/requests/complete.html",
        {"member_request": member_request, "form": form},
        status=400 if form.errors else 200,
    )


@member_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request, enrolment, pk: int):
    member_request = _own_request(request, pk)
    if not member_request.is_undecided:
        messages.info(request, "Cette demande est déjà traitée : elle ne peut plus être retirée.")
        return redirect("member_portal:requests")
    if request.method == "POST":
        try:
            member_request_withdraw(member_request=member_request, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Votre demande n° {member_request.number} est retirée.")
        return redirect("member_portal:requests")
    return render(
        request, "member_portal/requests/withdraw.html", {"member_request": member_request}
    )


@member_required(covered=True)
@require_GET
def request_new(request, enrolment):
    """« Faire une autre demande »: the request types, and a free message."""
    return render(
        request,
        "member_portal/requests/new.html",
        {"enrolment": enrolment, "request_types": request_types_for(enrolment)},
    )


@member_required(covered=True)
@require_http_methods(["GET", "POST"])
def request_message(request, enrolment):
    form = FreeMessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_request = member_request_submit(
                enrolment=enrolment,
                kind=K.OTHER,
                by=request.user,
                message=data["message"],
                documents=[("", f) for f in data["documents"]],
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Votre demande n° {member_request.number} est envoyée au centre de gestion.",
            )
            return redirect("member_portal:requests")
    return render(
        request,
        "member_portal/requests/message.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
