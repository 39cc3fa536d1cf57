"""« Créer mon espace » (seed 004), its activation link, and the pages its form links
to (conditions générales d'utilisation, mentions légales)."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from enrolment.enums import LinkKind
from enrolment.services.links import LinkNotUsable, link_find, link_state
from enrolment.services.member_account import (
    EmailTakenMeanwhile,
    member_account_activate,
    member_account_request,
)

from ..forms.account import MemberAccountForm

RATE_LIMIT_ACTION = "member_account"


def _activation_url(raw_key: str) -> str:
    return settings.SITE_URL + reverse("member_portal:account_activate", args=[raw_key])


@never_cache
@sensitive_post_parameters("password1", "password2")
def account_create(request):
    form = MemberAccountForm(request.POST or None)
    if request.method == "POST":
        # Every attempt counts, per IP and per member number, in the cache shared by
        # all web processes (allauth's limiter, configured in ACCOUNT_RATE_LIMITS).
        number = request.POST.get("member_number", "").strip() or "-"
        if not ratelimit.consume(request, action=RATE_LIMIT_ACTION, key=number):
            return render(request, "429.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            member_account_request(
                member_number=data["member_number"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                birth_date=data["birth_date"],
                email=data["email"],
                password=data["password1"],
                paperless_mail=data["paperless_mail"],
                activation_url=_activation_url,
                password_reset_url=settings.SITE_URL + reverse("account_reset_password"),
            )
            # The same answer whatever matched: no account enumeration.
            return redirect("member_portal:account_requested")
    return render(request, "member_portal/account/create.html", {"form": form})


def account_requested(request):
    return render(request, "member_portal/account/requested.html")


@never_cache
def account_activate(request, key: str):
    """GET shows a button (mail scanners open links without using them up); POST
    creates the account, then the member logs in with their member number or e-mail."""
    state = link_state(link_find(key, kind=LinkKind.ACCOUNT_ACTIVATION))
    if request.method == "POST" and state == "valid":
        try:
            user = member_account_activate(raw_key=key)
        except LinkNotUsable as exc:
            state = exc.state
        except EmailTakenMeanwhile:
            state = "taken"
        else:
            messages.success(
                request,
                "Votre espace adhérent est activé. Identifiez-vous avec votre numéro "
                f"d'adhérent ({user.username}) ou votre adresse e-mail, et votre mot de passe.",
            )
            return redirect("account_login")
    return render(
        request,
        "member_portal/account/activate.html",
        {"state": state},
        status=200 if state == "valid" else 410,
    )


def terms(request):
    return render(request, "member_portal/account/terms.html")


def legal_notice(request):
    return render(request, "member_portal/account/legal_notice.html")
