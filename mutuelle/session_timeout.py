"""The session's end, known in advance (WCAG 2.2.1).

A session ends ``SESSION_COOKIE_AGE`` (8 hours) after the login, at a time written in the
session itself, so every page knows it without a query and can warn the person
``SESSION_WARNING_SECONDS`` before, with a button that extends it by the same length
(``mutuelle.views.session_extend``). Later writes to the session do not move it, and
``SessionDeadlineMiddleware`` logs out at that time. The session cookie itself still
ends with the browser (``ACCOUNT_SESSION_REMEMBER = False``): the deadline is kept in the
session, not in the cookie.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone

DEADLINE_KEY = "session_deadline"


def session_deadline_set(session) -> dt.datetime:
    """End the session ``SESSION_COOKIE_AGE`` seconds from now (the write also moves
    Django's own expiry, counted from the session's last change, to the same time)."""
    deadline = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    session[DEADLINE_KEY] = deadline.isoformat()
    return deadline


def _deadline_of(session) -> dt.datetime | None:
    value = session.get(DEADLINE_KEY)
    return dt.datetime.fromisoformat(value) if value else None


def session_deadline(request) -> dt.datetime | None:
    """When the logged-in person's session ends; None for a visitor."""
    if not request.user.is_authenticated:
        return None
    return _deadline_of(request.session)


def _deadline_at_login(sender, request, user, **kwargs) -> None:
    if request is not None:
        session_deadline_set(request.session)


user_logged_in.connect(_deadline_at_login, dispatch_uid="session_deadline_at_login")


class SessionDeadlineMiddleware:
    """Logs out a session past its deadline (only logged-in sessions carry one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        deadline = _deadline_of(request.session)
        if deadline is not None and timezone.now() >= deadline:
            logout(request)
        return self.get_response(request)
