"""The session's end, known in advance (WCAG 2.2.1).

A session ends ``SESSION_COOKIE_AGE`` (8 hours) after the login, at a time written in the
session itself, so every page knows it without a query and can warn the person
``SESSION_WARNING_SECONDS`` before, with a button that extends it by the same length
(``mutuelle.views.session_extend``). Later writes to the session do not move it.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone


def session_deadline_set(session) -> dt.datetime:
    """End the session ``SESSION_COOKIE_AGE`` seconds from now."""
    deadline = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    session.set_expiry(deadline)
    return deadline


def session_deadline(request) -> dt.datetime | None:
    """When the logged-in person's session ends; None for a visitor, or for a session
    opened before deadlines were written (it keeps Django's own expiry)."""
    if not request.user.is_authenticated or not request.session.get("_session_expiry"):
        return None
    return request.session.get_expiry_date()


def _deadline_at_login(sender, request, user, **kwargs) -> None:
    if request is not None:
        session_deadline_set(request.session)


user_logged_in.connect(_deadline_at_login, dispatch_uid="session_deadline_at_login")
