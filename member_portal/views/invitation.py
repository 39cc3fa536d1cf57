from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from enrolment.enums import LinkKind
from enrolment.services.activation import (
    EmailAlreadyUsed,
    WrongBirthDate,
    account_activate,
    email_confirm,
)
from enrolment.services.links import LOCKED, LinkNotUsable, link_find, link_state
from mutuelle.models import Company

from ..forms.invitation import ActivationForm


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation(request, token: str):
    """« Espace personnel »: opening the link only shows the form; the account is
    created (and the link used up) when the form is submitted."""
    found = link_find(token, kind=LinkKind.INVITATION)
    state = link_state(found)
    enrolment = found.enrolment if found else None
    if state != "valid":
        return _link_not_usable(request, state, enrolment)
    employee = enrolment.employee
    form = ActivationForm(request.POST or None, employee=employee, brand=settings.MUTUELLE["name"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_activate(
                raw_token=token,
                birth_date=data["birth_date"],
                password=data["password1"],
                personal_email=data.get("personal_email") or "",
                commercial_consent=data["commercial_consent"],
            )
        except LinkNotUsable as exc:
            return _link_not_usable(request, exc.state, enrolment)
        except WrongBirthDate as exc:
            form.add_error("birth_date", exc.message)
        except EmailAlreadyUsed:
            form.add_error(None, "Cette adresse e-mail est déjà utilisée par un autre compte.")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _created_message(user))
            if data.get("personal_email") and employee.email:
                messages.info(
                    request,
                    f"Un e-mail de confirmation a été envoyé à {data['personal_email']}. "
                    "Cette adresse deviendra votre identifiant une fois confirmée.",
                )
            return redirect("member_portal:home")
    return render(
        request,
        "member_portal/invitation.html",
        {"state": state, "enrolment": enrolment, "employee": employee, "form": form},
    )


def _created_message(user) -> str:
    """The login to use from now on: the e-mail address; the technical identifier only
    for an account without one."""
    if user.email:
        return (
            f"Bonjour {user.get_full_name()}, votre espace personnel est créé. Pour vous "
            f"reconnecter, utilisez votre adresse e-mail {user.email}."
        )
    return f"Votre espace personnel est créé. Votre identifiant de connexion : {user.username}."


def _link_not_usable(request, state: str, enrolment):
    """Why the link does not open the account; a locked link says whom to call."""
    context = {"state": state, "enrolment": enrolment}
    if state == LOCKED:
        company = (
            Company.objects.filter(pk=enrolment.employee.company_id)
            .prefetch_related("correspondent_accesses__user")
            .get()
        )
        context["company"] = company
        context["correspondents"] = [access.user for access in company.correspondent_accesses.all()]
    return render(
        request,
        "member_portal/invitation.html",
        context,
        status=403 if state == LOCKED else 410,
    )


@never_cache
def confirm_email(request, token: str):
    """Confirmation link of a personal e-mail (single-use)."""
    state, email = "confirmed", ""
    if request.method == "POST":
        try:
            with transaction.atomic():
                user = email_confirm(raw_token=token)
            email = user.email
        except LinkNotUsable as exc:
            state = exc.state
        except EmailAlreadyUsed:
            state = "taken"
        return render(
            request,
            "member_portal/confirm_email.html",
            {"state": state, "email": email},
            status=200 if state == "confirmed" else 410,
        )
    # GET only shows a button: mail scanners that open links must not use them up.
    return render(request, "member_portal/confirm_email.html", {"state": "ask"})
