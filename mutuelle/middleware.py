"""Request id and client address of each request (see ``mutuelle.request_context``)."""

import re
import uuid

from allauth.core.internal.httpkit import get_client_ip
from django.core.exceptions import ImproperlyConfigured

from .request_context import NONE, client_ip_var, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# gunicorn's access line reads these from the WSGI environ (see gunicorn.conf.py).
ENVIRON_REQUEST_ID = "mutuelle.request_id"
ENVIRON_CLIENT_IP = "mutuelle.client_ip"
# An id from the proxy is kept only if it is safe to write in a log line.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _client_ip(request) -> str:
    """allauth's reading of the client address (``TRUSTED_PROXY_COUNT`` hops of
    ``X-Forwarded-For``), the same one its login limits count by."""
    try:
        return get_client_ip(request) or NONE
    except ImproperlyConfigured:
        # Fewer hops than configured: the header was not written by our proxies.
        return request.META.get("REMOTE_ADDR") or NONE


class RequestIdMiddleware:
    """Takes the proxy's ``X-Request-ID`` or makes one, and returns it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTED_ID.fullmatch(incoming) else uuid.uuid4().hex
        client_ip = _client_ip(request)
        request.request_id = request_id
        request.META[ENVIRON_REQUEST_ID] = request_id
        request.META[ENVIRON_CLIENT_IP] = client_ip
        # Cleared on request_finished (see request_context), after Django's own lines.
        request_id_var.set(request_id)
        client_ip_var.set(client_ip)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
