"""« Mes demandes »: the company's requests, their history, reminders, cancellation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from enrolment.enums import RequestType, TerminationStatus
from enrolment.services.cancellation import enrolment_cancel
from enrolment.services.invitation import ReminderTooSoon, enrolment_remind
from enrolment.services.termination import termination_withdraw
from mutuelle.french import de

from .decorators import correspondent_view
from .filters import RequestFilter
from .forms import CancelForm
from .paging import paginate
from .selectors import (
    company_requests,
    dispensation_enabled,
    request_list_rows,
    request_type_choices,
)

REMINDER_SENT = (
    "Votre demande a bien été prise en compte — Le mail de relance permettant au salarié "
    "de finaliser son affiliation a été envoyé."
)


def _affiliation_request(request, request_id: int):
    return get_object_or_404(
        company_requests(request.company).filter(type=RequestType.AFFILIATION),
        pk=request_id,
    )


@correspondent_view
def request_list(request):
    company = request.company
    enabled = dispensation_enabled(company)
    filterset = RequestFilter(
        request.GET or None, queryset=request_list_rows(company), dispensation_enabled=enabled
    )
    page, querystring = paginate(request, filterset.qs)
    return render(
        request,
        "employer_portal/requests/list.html",
        {
            "company": company,
            "filter": filterset,
            "page": page,
            "querystring": querystring,
            "type_choices": request_type_choices(dispensation=enabled),
            "selected_type": request.GET.get("type", ""),
            "selected_status": request.GET.get("status", ""),
        },
    )


@correspondent_view
def request_detail(request, request_id: int):
    item = get_object_or_404(company_requests(request.company), pk=request_id)
    events = item.events.filter(visible_to_employer=True).order_by("at", "id")
    return render(
        request,
        "employer_portal/requests/detail.html",
        {
            "company": request.company,
            "item": item,
            "events": events,
            "withdrawable_termination": _withdrawable_termination(item),
        },
    )


def _withdrawable_termination(item):
    """The termination of this request while the back office has not processed it."""
    if item.type not in {RequestType.TERMINATION, RequestType.DEATH}:
        return None
    termination = getattr(item, "termination", None)
    return (
        termination if termination and termination.status == TerminationStatus.SUBMITTED else None
    )


@correspondent_view
def request_withdraw_termination(request, request_id: int):
    """Confirmation page (GET), then withdrawal (POST) of a termination not yet processed."""
    item = get_object_or_404(company_requests(request.company), pk=request_id)
    termination = _withdrawable_termination(item)
    if termination is None:
        messages.error(
            request,
            "Cette demande de résiliation a déjà été traitée ou retirée : elle ne peut plus "
            "être retirée.",
        )
        return redirect("employer_portal:request_detail", request.company.pk, item.pk)
    if request.method == "POST":
        try:
            termination_withdraw(termination=termination, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"La demande de résiliation {de(item.employee.full_name)} a été retirée : "
                "sa couverture continue.",
            )
        return redirect("employer_portal:request_detail", request.company.pk, item.pk)
    return render(
        request,
        "employer_portal/requests/withdraw_termination.html",
        {"company": request.company, "item": item, "termination": termination},
    )


@require_POST
@correspondent_view
def request_remind(request, request_id: int):
    item = _affiliation_request(request, request_id)
    if not item.can_remind:
        messages.error(request, "Cette demande n'attend plus le salarié : aucune relance possible.")
    elif not item.employee.email:
        messages.error(
            request,
            "Ce salarié n'a pas d'adresse e-mail : ses identifiants lui ont été envoyés par "
            "courrier. Contactez votre chargé d'affaires pour un nouvel envoi.",
        )
    else:
        try:
            enrolment_remind(enrolment=item.enrolment, by=request.user)
        except ReminderTooSoon as exc:
            messages.error(
                request,
                "Une relance a déjà été envoyée à ce salarié il y a moins de 24 heures. "
                f"Prochaine relance possible le "
                f"{timezone.localtime(exc.next_allowed_at):%d/%m/%Y à %H:%M}.",
            )
        else:
            messages.success(request, REMINDER_SENT)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("employer_portal:requests", request.company.pk)


@correspondent_view
def request_cancel(request, request_id: int):
    """Confirmation page (GET, with the optional reason), then cancellation (POST)."""
    item = _affiliation_request(request, request_id)
    if not item.can_cancel:
        messages.error(
            request,
            "Cette pré-affiliation n'attend plus le salarié : elle ne peut plus être annulée.",
        )
        return redirect("employer_portal:request_detail", request.company.pk, item.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_cancel(
                enrolment=item.enrolment, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"La pré-affiliation {de(item.employee.full_name)} a été annulée."
            )
        return redirect("employer_portal:request_detail", request.company.pk, item.pk)
    return render(
        request,
        "employer_portal/requests/cancel.html",
        {"company": request.company, "item": item, "form": form},
    )
