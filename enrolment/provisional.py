"""« Must change »: an account posted a provisional password (see
services/postal_letters.py) must choose its own before using the site.

The flag is read once at login into the session, so the middleware costs no query.
"""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from .models import ProvisionalPassword

SESSION_FLAG = "must_change_password"


@receiver(user_logged_in)
def _flag_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = ProvisionalPassword.objects.filter(user=user).exists()


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _clear_on_change(sender, request, user, **kwargs):
    ProvisionalPassword.objects.filter(user=user).delete()
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_FLAG, None)


class ProvisionalPasswordMiddleware:
    """Send an account with a provisional password to « changer mon mot de passe »."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(SESSION_FLAG) and request.user.is_authenticated:
            allowed = {reverse("account_change_password"), reverse("account_logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("account_change_password")
        return self.get_response(request)
