"""« Signature électronique »: the membership form, the two declarations, the SMS code
and the end page. Every lookup is scoped to the logged-in employee; once signed the
enrolment is read-only here (these pages lead to the end page)."""

from allauth.core import ratelimit
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrolment.enums import EnrolmentStatus, PhoneSource
from enrolment.models import Enrolment
from enrolment.services.invitation import DEADLINE_PASSED, enrolment_past_deadline
from enrolment.services.profile import (
    WrongPassword,
    phone_change_attempts,
    signature_phone_change_start,
)
from enrolment.signature import membership_form as mf
from enrolment.signature.services import (
    CODE_VALIDITY,
    ConsentsMissing,
    FormChanged,
    FormNotViewed,
    NotReadyToSign,
    NotSignable,
    SignatureError,
    e164,
    latest_evidence,
    phone_on_record,
    signature_attempt_current,
    signature_code_send,
    signature_code_verify,
    signature_consents_give,
    signature_form_viewed,
)

from ..access import member_required
from ..forms.signature import CodeForm, ConsentForm, PhoneForm
from .phone_code import phone_code_step, signature_origin
from .wizard import STEP_URLS, STEPPER

SIGNED_STATES = {
    EnrolmentStatus.SIGNED,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.PORTABILITY,
    EnrolmentStatus.TERMINATED,
}

# This long before the SMS code's end, the page offers a new one (WCAG 2.2.1).
CODE_WARNING_SECONDS = 2 * 60


def _stepper() -> list[dict]:
    """The wizard's stepper, every step done, on « Signature électronique »."""
    last = len(STEPPER)
    return [
        {
            "number": i,
            "label": label,
            "url": reverse(STEP_URLS[step]) if i < last else None,
            "current": i == last,
            "done": i < last,
        }
        for i, (step, label) in enumerate(STEPPER, start=1)
    ]


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"stepper": _stepper(), **context}, status=status)


def _own_enrolment(request, enrolment_id: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.filter(employee__user=request.user).select_related(
            "employee__company", "contract", "offer"
        ),
        pk=enrolment_id,
    )


def _guard(request, enrolment: Enrolment):
    """Where to go instead of a signature page, or None to stay."""
    if enrolment.status in SIGNED_STATES:
        return redirect("member_portal:signature_done", enrolment.pk)
    if enrolment_past_deadline(enrolment=enrolment):
        messages.error(request, DEADLINE_PASSED)
        return redirect("member_portal:home")
    if enrolment.status != EnrolmentStatus.IN_PROGRESS:
        messages.warning(request, "Cette adhésion ne peut pas être signée en ligne.")
        return redirect("member_portal:home")
    return None


def _attempt_or_response(request, enrolment: Enrolment):
    try:
        return signature_attempt_current(enrolment=enrolment), None
    except NotReadyToSign as exc:
        return None, _render(
            request,
            "member_portal/signature/not_ready.html",
            {"enrolment": enrolment, "missing": exc.missing},
            status=409,
        )
    except NotSignable:
        return None, redirect("member_portal:home")


@member_required
@require_GET
def signature_entry(request, current):
    """The recap's « Valider » lands here: the employee's enrolment to sign."""
    enrolments = Enrolment.objects.filter(employee__user=request.user).order_by("-created_at")
    target = (
        enrolments.filter(status=EnrolmentStatus.IN_PROGRESS).first()
        or enrolments.filter(status__in=SIGNED_STATES).first()
    )
    if target is None:
        messages.warning(request, "Aucune adhésion n'est à signer.")
        return redirect("member_portal:home")
    return _start_page(request, target)


@member_required
@require_GET
def signature_start(request, current, enrolment_id: int):
    return _start_page(request, _own_enrolment(request, enrolment_id))


def _start_page(request, enrolment: Enrolment):
    if response := _guard(request, enrolment):
        return response
    _attempt, response = _attempt_or_response(request, enrolment)
    if response:
        return response
    return _render(request, "member_portal/signature/start.html", {"enrolment": enrolment})


@member_required
@require_http_methods(["GET", "POST"])
def signature_form(request, current, enrolment_id: int):
    enrolment = _own_enrolment(request, enrolment_id)
    if response := _guard(request, enrolment):
        return response
    attempt, response = _attempt_or_response(request, enrolment)
    if response:
        return response
    body = mf.form_body_html(mf.load_enrolment(enrolment.pk))
    fingerprint = mf.fingerprint(body)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                signature_consents_give(
                    attempt=attempt,
                    certify=True,
                    contract_document=True,
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except (FormNotViewed, FormChanged, ConsentsMissing) as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("member_portal:signature_sms", enrolment.pk)
        attempt.refresh_from_db()
        form.data = form.data.copy()
        form.data["fingerprint"] = fingerprint
    else:
        form = ConsentForm(initial={"fingerprint": fingerprint})
    viewed = bool(attempt.form_viewed_at) and attempt.form_fingerprint == fingerprint
    if not viewed:
        form.lock_until_viewed()
    return _render(
        request,
        "member_portal/signature/form.html",
        {
            "enrolment": enrolment,
            "form": form,
            "body": body,
            "viewed": viewed,
            "fingerprint": fingerprint,
        },
    )


@member_required
@require_POST
def signature_form_viewed_mark(request, current, enrolment_id: int):
    """Called by the page's script once the preview was scrolled to its end."""
    enrolment = _own_enrolment(request, enrolment_id)
    if enrolment.status != EnrolmentStatus.IN_PROGRESS:
        return JsonResponse({"error": "Cette adhésion ne peut plus être signée."}, status=409)
    attempt, response = _attempt_or_response(request, enrolment)
    if response:
        return JsonResponse({"error": "Adhésion incomplète."}, status=409)
    fingerprint = mf.fingerprint(mf.form_body_html(mf.load_enrolment(enrolment.pk)))
    if request.POST.get("fingerprint") != fingerprint:
        return JsonResponse(
            {"error": "Le bulletin a changé : rechargez la page pour le relire."}, status=409
        )
    signature_form_viewed(attempt=attempt, fingerprint=fingerprint, how="scroll")
    return JsonResponse({"viewed": True})


@member_required
@require_GET
def signature_form_pdf(request, current, enrolment_id: int):
    """The form to sign, as a PDF; opening it counts as having read it."""
    enrolment = _own_enrolment(request, enrolment_id)
    if response := _guard(request, enrolment):
        return response
    attempt, response = _attempt_or_response(request, enrolment)
    if response:
        return response
    loaded = mf.load_enrolment(enrolment.pk)
    body = mf.form_body_html(loaded)
    pdf = mf.membership_form_pdf(loaded, body_html=body)
    signature_form_viewed(attempt=attempt, fingerprint=mf.fingerprint(body), how="pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bulletin-adhesion-{enrolment.member_number}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_http_methods(["GET", "POST"])
def signature_sms(request, current, enrolment_id: int):
    """The code goes to the mobile on record only. Another number needs the account
    password again and its own code (``signature_phone_confirm``) before it is used."""
    enrolment = _own_enrolment(request, enrolment_id)
    if response := _guard(request, enrolment):
        return response
    attempt, response = _attempt_or_response(request, enrolment)
    if response:
        return response
    if not attempt.consents_at:
        messages.warning(request, "Cochez d'abord les deux cases après avoir lu votre bulletin.")
        return redirect("member_portal:signature_form", enrolment.pk)
    now = timezone.now()
    record = phone_on_record(enrolment.employee)
    challenge = (
        attempt.challenges.filter(used_at__isnull=True, replaced_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    phone_form = PhoneForm(prefix="tel")
    code_form = CodeForm(prefix="sms")
    action = request.POST.get("action") if request.method == "POST" else None
    change_number = request.GET.get("numero") == "modifier" or record is None
    try:
        if action == "change":
            phone_form = PhoneForm(request.POST, prefix="tel")
            change_number = True
            # The password typed here is counted like allauth's own re-authentication.
            if not ratelimit.consume(request, action="reauthenticate", user=request.user):
                phone_form.add_error(None, "Trop d'essais : réessayez dans quelques minutes.")
            elif phone_form.is_valid():
                confirmation = signature_phone_change_start(
                    enrolment=enrolment,
                    user=request.user,
                    password=phone_form.cleaned_data["password"],
                    phone=phone_form.cleaned_data["phone"],
                )
                return redirect("member_portal:signature_phone", enrolment.pk, confirmation.pk)
        elif action in {"send", "resend"}:
            signature_code_send(attempt=attempt, resend=action == "resend")
            return _code_sent(request, enrolment)
        elif action == "verify":
            code_form = CodeForm(request.POST, prefix="sms")
            if code_form.is_valid():
                signature_code_verify(
                    attempt=attempt,
                    code=code_form.cleaned_data["code"],
                    by=request.user,
                    origin=signature_origin(request),
                )
                return redirect("member_portal:signature_done", enrolment.pk)
    except FormChanged as exc:
        messages.error(request, exc.message)
        return redirect("member_portal:signature_form", enrolment.pk)
    except NotSignable:
        return redirect("member_portal:signature_start", enrolment.pk)
    except WrongPassword as exc:
        phone_form.add_error("password", exc.message)
    except SignatureError as exc:
        if action == "change":
            phone_form.add_error("phone", exc.message)
        elif action == "verify":
            code_form.add_error("code", exc.message)
        else:
            messages.error(request, exc.message)
    code_to_record = (
        challenge is not None and record is not None and e164(challenge.phone) == record.number
    )
    return _render(
        request,
        "member_portal/signature/sms.html",
        {
            "enrolment": enrolment,
            "attempt": attempt,
            "record": record,
            "phone_form": phone_form,
            "code_form": code_form,
            "change_number": change_number,
            "show_code": code_to_record and not change_number,
            "challenge_expired": challenge is not None and challenge.expires_at <= now,
            "challenge": challenge,
            "code_remaining": (
                max(0, int((challenge.expires_at - now).total_seconds())) if challenge else 0
            ),
            "code_warning_seconds": CODE_WARNING_SECONDS,
            "validity_minutes": int(CODE_VALIDITY.total_seconds() // 60),
        },
        status=400 if phone_form.errors or code_form.errors else 200,
    )


@member_required
@require_http_methods(["GET", "POST"])
def signature_phone(request, current, enrolment_id: int, pk: int):
    """The code sent to the new number given at the signature step, typed back."""
    enrolment = _own_enrolment(request, enrolment_id)
    if response := _guard(request, enrolment):
        return response
    attempt = get_object_or_404(
        phone_change_attempts(request.user, source=PhoneSource.SIGNATURE).filter(
            enrolment=enrolment
        ),
        pk=pk,
    )

    def confirmed():
        # The form shows the mobile: it changed, so it is read and ticked again.
        messages.success(
            request,
            "Votre numéro de mobile est confirmé et figure maintenant sur votre bulletin : "
            "relisez-le et cochez à nouveau les deux cases, puis recevez votre code de "
            "signature sur ce numéro.",
        )
        return redirect("member_portal:signature_form", enrolment.pk)

    return phone_code_step(
        request,
        attempt=attempt,
        source=PhoneSource.SIGNATURE,
        on_confirmed=confirmed,
        render_page=lambda context: _render(
            request,
            "member_portal/signature/phone_code.html",
            {"enrolment": enrolment, **context},
        ),
    )


def _code_sent(request, enrolment):
    messages.success(
        request, "Un code de signature à 6 chiffres vient de vous être envoyé par SMS."
    )
    return redirect("member_portal:signature_sms", enrolment.pk)


@member_required
@require_GET
def signature_done(request, current, enrolment_id: int):
    enrolment = _own_enrolment(request, enrolment_id)
    evidence = latest_evidence(enrolment)
    if enrolment.status not in SIGNED_STATES or evidence is None:
        return redirect("member_portal:signature_start", enrolment.pk)
    return _render(
        request,
        "member_portal/signature/done.html",
        {"enrolment": enrolment, "evidence": evidence},
    )


@member_required
@require_GET
def signature_dossier(request, current, enrolment_id: int):
    """The signed file: only for its employee and the back office."""
    queryset = Enrolment.objects.all()
    if not request.user.is_staff:
        queryset = queryset.filter(employee__user=request.user)
    enrolment = get_object_or_404(queryset, pk=enrolment_id)
    evidence = latest_evidence(enrolment)
    if evidence is None:
        raise Http404("Aucun dossier signé.")
    return FileResponse(
        evidence.dossier.open("rb"),
        as_attachment=True,
        filename=f"dossier-adhesion-{enrolment.member_number}.pdf",
        content_type="application/pdf",
    )
