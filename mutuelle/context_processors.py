from django.conf import settings
from django.utils import timezone

from .session_timeout import session_deadline


def brand(request):
    return {"mutuelle": settings.MUTUELLE, "dev_outbox_enabled": settings.DEV_OUTBOX_ENABLED}


def session_timeout(request):
    """The session's end, for the warning shown before it (templates/base.html)."""
    deadline = session_deadline(request)
    if deadline is None:
        return {}
    remaining = max(0, int((deadline - timezone.now()).total_seconds()))
    return {
        "session_deadline": deadline,
        "session_remaining": remaining,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
