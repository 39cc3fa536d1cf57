"""« Modification de RIB de cotisation » (with the new SEPA mandate, shown and signed
with the SMS code) and « Modification de RIB de prestation »."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from enrolment.signature import membership_form as mf
from enrolment.signature.services import (
    FormChanged,
    NotSignable,
    SignatureError,
    phone_on_record,
    signature_code_send,
    signature_code_verify,
    signature_consents_give,
    signature_form_viewed,
)
from member_requests.bank import (
    benefit_account_change_submit,
    contribution_account_change_submit,
    mandate_body_html,
    mandate_pdf,
    mandate_signature_attempt,
)
from member_requests.enums import MandateStatus, MemberRequestKind
from member_requests.models import SepaMandate

from ..access import member_required
from ..forms.bank_accounts import BankAccountForm, MandateSignForm
from ..forms.requests import apply_service_errors
from ..forms.signature import CodeForm
from .phone_code import signature_origin


def _submit(request, form, operation, **kwargs):
    data = form.cleaned_data
    try:
        return operation(
            holder=data["holder"],
            iban=data["iban"],
            bic=data["bic"],
            rib=data["documents"][0],
            by=request.user,
            submission_key=data["submission_key"],
            **kwargs,
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


@member_required(covered=True)
@require_http_methods(["GET", "POST"])
def contribution_account(request, enrolment):
    form = BankAccountForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        member_request = _submit(
            request, form, contribution_account_change_submit, enrolment=enrolment
        )
        if member_request is not None:
            return redirect(
                "member_portal:mandate_sign", member_request.bank_account_change.mandate_id
            )
    return render(
        request,
        "member_portal/requests/bank_account.html",
        {"form": form, "title": MemberRequestKind.CONTRIBUTION_ACCOUNT.label, "contribution": True},
        status=400 if form.errors else 200,
    )


@member_required(covered=True)
@require_http_methods(["GET", "POST"])
def benefit_account(request, enrolment):
    beneficiaries = list(enrolment.beneficiaries.filter(covered_until__isnull=True))
    form = BankAccountForm(request.POST or None, request.FILES or None, beneficiaries=beneficiaries)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data.get("beneficiary")
        beneficiary = next((b for b in beneficiaries if str(b.pk) == chosen), None)
        member_request = _submit(
            request,
            form,
            benefit_account_change_submit,
            enrolment=enrolment,
            beneficiary=beneficiary,
        )
        if member_request is not None:
            messages.success(
                request,
                f"Votre demande n° {member_request.number} est envoyée : le nouveau compte sera "
                "utilisé pour vos remboursements dès que le centre de gestion l'aura vérifié.",
            )
            return redirect("member_portal:requests")
    return render(
        request,
        "member_portal/requests/bank_account.html",
        {"form": form, "title": MemberRequestKind.BENEFIT_ACCOUNT.label, "contribution": False},
        status=400 if form.errors else 200,
    )


def _own_mandate(request, pk: int) -> SepaMandate:
    return get_object_or_404(
        SepaMandate.objects.filter(enrolment__employee__user=request.user).select_related(
            "enrolment__employee", "enrolment__contract", "change__request"
        ),
        pk=pk,
    )


@member_required
@require_GET
def mandate_document(request, enrolment, pk: int):
    mandate = _own_mandate(request, pk)
    response = HttpResponse(mandate_pdf(mandate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mandat-{mandate.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
@require_http_methods(["GET", "POST"])
def mandate_sign(request, enrolment, pk: int):
    """Read the mandate, tick the authorisation, receive the code, type it."""
    mandate = _own_mandate(request, pk)
    if mandate.status != MandateStatus.TO_SIGN:
        messages.info(request, "Ce mandat n'est plus à signer.")
        return redirect("member_portal:requests")
    try:
        attempt = mandate_signature_attempt(mandate=mandate)
    except NotSignable:
        messages.info(request, "Ce mandat ne peut plus être signé.")
        return redirect("member_portal:requests")
    body = mandate_body_html(mandate)
    fingerprint = mf.fingerprint(body)
    employee = mandate.enrolment.employee
    sign_form = MandateSignForm(initial={"fingerprint": fingerprint}, prefix="tel")
    code_form = CodeForm(prefix="sms")
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "send":
            sign_form = MandateSignForm(request.POST, prefix="tel")
            if sign_form.is_valid():
                seen = sign_form.cleaned_data["fingerprint"]
                signature_form_viewed(attempt=attempt, fingerprint=seen, how="page")
                signature_consents_give(
                    attempt=attempt, fingerprint=seen, ticked=frozenset({"mandate"})
                )
                signature_code_send(attempt=attempt)
                messages.success(request, "Un code à 6 chiffres vient de vous être envoyé par SMS.")
                return redirect("member_portal:mandate_sign", mandate.pk)
        elif action == "resend" and attempt.phone:
            signature_code_send(attempt=attempt, resend=True)
            messages.success(request, "Un nouveau code vient de vous être envoyé par SMS.")
            return redirect("member_portal:mandate_sign", mandate.pk)
        elif action == "verify":
            code_form = CodeForm(request.POST, prefix="sms")
            if code_form.is_valid():
                signature_code_verify(
                    attempt=attempt,
                    code=code_form.cleaned_data["code"],
                    by=request.user,
                    origin=signature_origin(request),
                )
                messages.success(
                    request,
                    f"Votre mandat {mandate.reference} est signé. Votre demande n° "
                    f"{mandate.change.request.number} est transmise au centre de gestion.",
                )
                return redirect("member_portal:requests")
    except FormChanged as exc:
        messages.error(request, exc.message)
        return redirect("member_portal:mandate_sign", mandate.pk)
    except SignatureError as exc:
        target = code_form if action == "verify" else sign_form
        target.add_error("code" if action == "verify" else None, exc.message)
    attempt.refresh_from_db()
    code_sent = attempt.challenges.filter(used_at__isnull=True, replaced_at__isnull=True).exists()
    return render(
        request,
        "member_portal/requests/mandate_sign.html",
        {
            "mandate": mandate,
            "body": body,
            "sign_form": sign_form,
            "code_form": code_form,
            "code_sent": code_sent,
            "phone": phone_on_record(employee),
        },
        status=400 if (sign_form.errors or code_form.errors) else 200,
    )
