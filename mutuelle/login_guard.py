"""Login failures counted per account *and* address, and the holder warned.

allauth's ``login_failed`` limit is keyed on the login alone: anyone knowing a
correspondent's login could lock them out for good with five wrong passwords every five
minutes. Keyed on login and client address (``AccountAdapter``), the lock only stops
the address that failed; the per-address limit still stops one address trying many
accounts. Failures from addresses the holder has not logged in from are counted per
account and, past a threshold, the holder is warned by e-mail (once per hour).
"""

import time

from allauth.account.adapter import get_adapter
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from .enums import Channel
from .notifications import notification_send

WARNING_THRESHOLD = 5
WARNING_WINDOW_SECONDS = 60 * 60
KNOWN_ADDRESS_SECONDS = 90 * 24 * 60 * 60


def client_ip(request) -> str:
    """The client's address, behind ``TRUSTED_PROXY_COUNT`` proxies (allauth's rule)."""
    return get_adapter().get_client_ip(request)


def _known_key(user_id: int, ip: str) -> str:
    return f"login-guard:known:{user_id}:{ip}"


def login_success_record(*, request, user) -> None:
    """Remember the address: the holder's own typos from it are not "from elsewhere"."""
    cache.set(_known_key(user.pk, client_ip(request)), True, KNOWN_ADDRESS_SECONDS)


def login_failure_record(*, request, login: str) -> None:
    if not login:
        return
    user = (
        get_user_model()
        .objects.filter(Q(email__iexact=login) | Q(username__iexact=login), is_active=True)
        .only("pk", "email")
        .first()
    )
    if user is None:
        return
    ip = client_ip(request)
    if cache.get(_known_key(user.pk, ip)):
        return
    window = int(time.time() // WARNING_WINDOW_SECONDS)
    counter = f"login-guard:failures:{user.pk}:{window}"
    cache.add(counter, 0, WARNING_WINDOW_SECONDS)
    try:
        failures = cache.incr(counter)
    except ValueError:  # expired between add and incr
        failures = 1
    if failures == WARNING_THRESHOLD:
        notification_send(
            key=f"account:login-failures:{user.pk}:{window}",
            channel=Channel.EMAIL,
            to=user.email,
            template="login_failures",
            context={"failures": failures, "last_ip": ip, "last_at": timezone.now()},
        )
