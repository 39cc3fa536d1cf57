"""« Adjonction de bénéficiaire » and « Retrait de bénéficiaire »."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from member_requests.beneficiaries import (
    beneficiary_add_submit,
    beneficiary_remove_submit,
    contribution_preview,
    first_of_next_month,
)

from ..access import member_required
from ..forms.beneficiaries import BeneficiaryAddForm, BeneficiaryRemoveForm
from ..forms.requests import apply_service_errors


@member_required(covered=True)
@require_http_methods(["GET", "POST"])
def beneficiary_add(request, enrolment):
    form = BeneficiaryAddForm(request.POST or None, request.FILES or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "nir": form.cleaned_data.get("nir", "")}
        try:
            member_request = beneficiary_add_submit(
                enrolment=enrolment,
                data=data,
                documents=form.documents(),
                by=request.user,
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            change = member_request.beneficiary_change
            messages.success(
                request,
                f"Votre demande n° {member_request.number} est envoyée : "
                f"{change.data['first_name']} sera couvert(e) à partir du "
                f"{change.effective_date:%d/%m/%Y} une fois la demande acceptée.",
            )
            return redirect("member_portal:requests")
    on = first_of_next_month(timezone.localdate())
    return render(
        request,
        "member_portal/requests/beneficiary_add.html",
        {"form": form, "preview": contribution_preview(enrolment, on=on), "on": on},
        status=400 if form.errors else 200,
    )


@member_required(covered=True)
@require_http_methods(["GET", "POST"])
def beneficiary_remove(request, enrolment):
    beneficiaries = list(enrolment.beneficiaries.filter(covered_until__isnull=True))
    form = BeneficiaryRemoveForm(request.POST or None, beneficiaries=beneficiaries)
    if request.method == "POST" and form.is_valid():
        chosen = next(b for b in beneficiaries if str(b.pk) == form.cleaned_data["beneficiary"])
        try:
            member_request = beneficiary_remove_submit(
                enrolment=enrolment,
                beneficiary=chosen,
                reason=form.cleaned_data["reason"],
                by=request.user,
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Votre demande n° {member_request.number} est envoyée.")
            return redirect("member_portal:requests")
    return render(
        request,
        "member_portal/requests/beneficiary_remove.html",
        {"form": form, "on": first_of_next_month(timezone.localdate())},
        status=400 if form.errors else 200,
    )
