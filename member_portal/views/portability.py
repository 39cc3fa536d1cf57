"""« Faire une déclaration de portabilité » and, during the period, its end."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from member_requests.portability import (
    open_portability,
    portability_declare,
    portability_end_declare,
)

from ..access import member_required
from ..forms.portability import PortabilityDeclarationForm, PortabilityEndForm
from ..forms.requests import apply_service_errors


@member_required(covered=True)
@require_http_methods(["GET", "POST"])
def portability(request, enrolment):
    termination = open_portability(enrolment)
    if termination is None:
        raise Http404("Aucune portabilité ouverte.")
    action = request.POST.get("action") if request.method == "POST" else None
    declare_form = PortabilityDeclarationForm(
        request.POST if action == "declare" else None,
        request.FILES if action == "declare" else None,
        prefix="are",
    )
    end_form = PortabilityEndForm(request.POST if action == "end" else None, prefix="fin")
    try:
        if action == "declare" and declare_form.is_valid():
            member_request = portability_declare(
                enrolment=enrolment,
                notice=declare_form.cleaned_data["documents"][0],
                by=request.user,
                submission_key=declare_form.cleaned_data["submission_key"],
            )
            messages.success(request, f"Votre déclaration n° {member_request.number} est envoyée.")
            return redirect("member_portal:requests")
        if action == "end" and end_form.is_valid():
            data = end_form.cleaned_data
            member_request = portability_end_declare(
                enrolment=enrolment,
                cause=data["cause"],
                end_date=data["end_date"],
                by=request.user,
                submission_key=data["submission_key"],
            )
            messages.success(request, f"Votre déclaration n° {member_request.number} est envoyée.")
            return redirect("member_portal:requests")
    except ValidationError as error:
        apply_service_errors(declare_form if action == "declare" else end_form, error)
    return render(
        request,
        "member_portal/requests/portability.html",
        {"termination": termination, "declare_form": declare_form, "end_form": end_form},
        status=400 if (declare_form.errors or end_form.errors) else 200,
    )
