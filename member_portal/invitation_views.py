from django.shortcuts import render
from django.utils import timezone

from enrolment.services.invitation import find_invitation_token


def invitation(request, token: str):
    """Landing page of the invitation link. Opening it never signs nor changes anything."""
    found = find_invitation_token(token)
    now = timezone.now()
    if found is None or found.revoked_at is not None:
        state = "unknown"
    elif found.used_at is not None:
        state = "used"
    elif found.expires_at <= now:
        state = "expired"
    else:
        state = "valid"
    return render(
        request,
        "member_portal/invitation.html",
        {"state": state, "enrolment": found.enrolment if found else None},
        status=200 if state == "valid" else 410,
    )
