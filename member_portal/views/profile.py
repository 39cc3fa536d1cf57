"""« Mes informations personnelles » and « Mes paramètres » (seed 002, « Mes infos
persos »). Every change goes through ``enrolment.services.profile``, which writes the
member's history."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from enrolment.enums import LinkKind, PhoneSource
from enrolment.models import Enrolment
from enrolment.services.links import link_pending
from enrolment.services.profile import (
    member_address_change,
    member_email_change_request,
    member_preferences_change,
    phone_change_attempts,
    phone_change_start,
)
from enrolment.signature.services import SignatureError

from ..access import member_required
from ..forms.profile import AddressForm, EmailForm, PhoneForm, PreferencesForm
from .phone_code import phone_code_step

HISTORY_LENGTH = 50


@member_required
@require_http_methods(["GET", "POST"])
def profile(request, enrolment: Enrolment):
    """Identity (read-only), postal address, mobile, e-mail, preferences and the
    beneficiaries (read-only: adding one is a request). Each form posts on its own."""
    employee = enrolment.employee
    action = request.POST.get("action") if request.method == "POST" else None
    address_form = AddressForm(request.POST if action == "address" else None, instance=employee)
    email_form = EmailForm(request.POST if action == "email" else None, user=request.user)
    preferences_form = PreferencesForm(
        request.POST if action == "preferences" else None, instance=employee
    )
    if action == "address" and address_form.is_valid():
        changed = member_address_change(
            employee=employee,
            by=request.user,
            **{f: address_form.cleaned_data[f] for f in AddressForm.Meta.fields},
        )
        messages.success(
            request, "Votre adresse postale est enregistrée." if changed else "Adresse inchangée."
        )
        return redirect("member_portal:profile")
    if action == "email" and email_form.is_valid():
        link = member_email_change_request(
            employee=employee, by=request.user, email=email_form.cleaned_data["email"]
        )
        messages.info(
            request,
            f"Un lien de confirmation a été envoyé à {link.email}. Cette adresse deviendra "
            "votre identifiant de connexion une fois le lien utilisé (dans les 7 jours).",
        )
        return redirect("member_portal:profile")
    if action == "preferences" and preferences_form.is_valid():
        changed = member_preferences_change(
            employee=employee,
            by=request.user,
            **{f: preferences_form.cleaned_data[f] for f in PreferencesForm.Meta.fields},
        )
        messages.success(
            request,
            "Vos préférences de communication sont enregistrées."
            if changed
            else "Préférences inchangées.",
        )
        return redirect("member_portal:profile")
    prefetch_related_objects([enrolment], "beneficiaries")
    return render(
        request,
        "member_portal/space/profile.html",
        {
            "enrolment": enrolment,
            "employee": employee,
            "address_form": address_form,
            "email_form": email_form,
            "preferences_form": preferences_form,
            "pending_email": link_pending(kind=LinkKind.EMAIL_CONFIRMATION, user=request.user),
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def profile_phone(request, enrolment: Enrolment):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = phone_change_start(enrolment=enrolment, phone=form.cleaned_data["phone"])
        except SignatureError as exc:
            form.add_error("phone", exc.message)
        else:
            return redirect("member_portal:profile_phone_confirm", attempt.pk)
    return render(
        request, "member_portal/space/phone.html", {"form": form, "employee": enrolment.employee}
    )


@member_required
@require_http_methods(["GET", "POST"])
def profile_phone_confirm(request, enrolment: Enrolment, pk: int):
    attempt = get_object_or_404(phone_change_attempts(request.user), pk=pk)

    def confirmed():
        messages.success(request, "Votre nouveau numéro de mobile est enregistré.")
        return redirect("member_portal:profile")

    return phone_code_step(
        request,
        attempt=attempt,
        source=PhoneSource.MEMBER_AREA,
        on_confirmed=confirmed,
        render_page=lambda context: render(request, "member_portal/space/phone_code.html", context),
    )


@member_required
def settings_page(request, enrolment: Enrolment):
    """« Mes paramètres »: login identifiers, password, and the history of changes."""
    history = list(
        enrolment.employee.changes.select_related("actor").order_by("-at", "-id")[:HISTORY_LENGTH]
    )
    return render(
        request,
        "member_portal/space/settings.html",
        {"enrolment": enrolment, "history": history},
    )
