"""The page where a new mobile's code is typed back: in « Mes informations
personnelles », on the wizard's profile step and at the signature step. Each place
renders it in its own layout; the rules are ``enrolment.services.profile``'s."""

from django.contrib import messages
from django.shortcuts import redirect

from enrolment.services.profile import (
    phone_change_confirm,
    phone_change_number,
    phone_change_start,
)
from enrolment.signature.services import SignatureContext, SignatureError

from ..forms.profile import PhoneCodeForm


def signature_origin(request) -> SignatureContext:
    return SignatureContext(
        ip_address=request.META.get("REMOTE_ADDR"),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def phone_code_step(request, *, attempt, source: str, on_confirmed, render_page):
    """« Recevoir un nouveau code » or the code typed back. ``on_confirmed()`` answers
    once the number is on record; ``render_page(context)`` shows the page otherwise."""
    new_phone = phone_change_number(attempt)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            phone_change_start(enrolment=attempt.enrolment, phone=new_phone, source=source)
        except SignatureError as exc:
            messages.error(request, exc.message)
        else:
            messages.info(request, "Un nouveau code vient de vous être envoyé.")
        return redirect(request.get_full_path())
    form = PhoneCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            phone_change_confirm(
                attempt=attempt,
                code=form.cleaned_data["code"],
                by=request.user,
                origin=signature_origin(request),
            )
        except SignatureError as exc:
            form.add_error("code", exc.message)
        else:
            return on_confirmed()
    return render_page({"form": form, "new_phone": new_phone, "attempt": attempt})
