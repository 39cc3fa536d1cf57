"""Roles, where each one lands after logging in, and allauth's adapter and login form."""

import hashlib
import uuid

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from .enums import Channel
from .pages import page_path

# allauth e-mails rewritten in French under templates/notifications/.
ALLAUTH_EMAILS = {"account/email/password_reset_key": "password_reset_key"}


def is_correspondent(user) -> bool:
    return user.is_authenticated and user.correspondent_accesses.exists()


def is_employee(user) -> bool:
    return user.is_authenticated and user.employee_records.exists()


def landing_url(user) -> str:
    """Back office → admin; correspondent → « Mes entreprises » (or the only company's
    home); employee → member area."""
    if user.is_staff:
        return reverse("admin:index")
    company_ids = list(user.correspondent_accesses.values_list("company_id", flat=True)[:2])
    if len(company_ids) == 1:
        return page_path("employer.home", company_ids[0])
    if company_ids:
        return page_path("employer.companies")
    if is_employee(user):
        return page_path("member.home")
    return reverse("account_logout")


class PlainLabelsMixin:
    """Visible labels only: allauth's placeholders repeat them and vanish on typing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class LoginForm(PlainLabelsMixin, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Adresse e-mail ou identifiant"
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        # The "forgotten password" link is on the page, outside the field's description.
        self.fields["password"].help_text = ""


class ResetPasswordForm(PlainLabelsMixin, allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse e-mail"


class ResetPasswordKeyForm(PlainLabelsMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(PlainLabelsMixin, allauth_forms.ChangePasswordForm):
    pass


LOGIN_MISMATCH = "L'adresse e-mail, l'identifiant ou le mot de passe est incorrect."


class AccountAdapter(DefaultAccountAdapter):
    # The login field takes an e-mail or an identifier: one message for both, which
    # tells neither which was wrong. A wrong current password on password change is
    # not « type your current password ».
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": LOGIN_MISMATCH,
        "username_password_mismatch": LOGIN_MISMATCH,
        "enter_current_password": "Le mot de passe actuel est incorrect.",
    }

    def get_login_redirect_url(self, request):
        return landing_url(request.user)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The failed-login limit counts per account *and* client address: failures
        from one address never lock the account for the others (mutuelle/login_guard.py)."""
        from .login_guard import client_ip

        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_ip(request)}"
        )

    def authenticate(self, request, **credentials):
        from .login_guard import login_success_record

        user = super().authenticate(request, **credentials)
        if user is not None:
            login_success_record(request=request, user=user)
        return user

    def authentication_failed(self, request, **credentials) -> None:
        from .login_guard import login_failure_record

        login_failure_record(
            request=request, login=credentials.get("email") or credentials.get("username", "")
        )

    def is_open_for_signup(self, request):
        # Accounts are created by the mutuelle (correspondents, staff) or through an
        # invitation link (employees), never by open sign-up.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails go through the one notification layer (outbox, after
        commit, retried) like every other message."""
        from .notifications import notification_send

        template = ALLAUTH_EMAILS.get(template_prefix)
        if template is None:
            raise ValueError(f"E-mail allauth sans modèle français : {template_prefix}")
        url = context.get("password_reset_url", "")
        # One message per link: a new request (new token) is a new intent.
        intent = hashlib.sha256(url.encode()).hexdigest()[:32] if url else uuid.uuid4().hex
        notification_send(
            key=f"account:{template}:{intent}",
            channel=Channel.EMAIL,
            to=email,
            template=template,
            context={
                "password_reset_url": url,
                "reset_timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
