"""SMS backends. Selected by ``settings.SMS_BACKEND``."""

import json
import urllib.error
import urllib.request
from base64 import b64encode

from django.conf import settings
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    pass


class OutboxSmsBackend:
    """Development: the message is already in the outbox, readable at /dev/outbox/."""

    def send(self, *, to: str, text: str) -> None:
        return None


class HttpGatewaySmsBackend:
    """Production: POST a JSON message to the operator's HTTP gateway.

    Body: ``{"from": SMS_SENDER, "to": "+336…", "text": "…"}``, basic authentication
    with ``SMS_GATEWAY_USERNAME`` / ``SMS_GATEWAY_PASSWORD``; any non-2xx answer is a
    failure (the delivery task retries).
    """

    def send(self, *, to: str, text: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise SmsDeliveryError("SMS_GATEWAY_URL is not configured.")
        body = json.dumps({"from": settings.SMS_SENDER, "to": to, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings
            settings.SMS_GATEWAY_URL,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        if settings.SMS_GATEWAY_USERNAME:
            token = b64encode(
                f"{settings.SMS_GATEWAY_USERNAME}:{settings.SMS_GATEWAY_PASSWORD}".encode()
            ).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.SMS_GATEWAY_TIMEOUT
            ) as response:
                if not 200 <= response.status < 300:
                    raise SmsDeliveryError(f"Gateway answered {response.status}.")
        except urllib.error.HTTPError as exc:
            # The error carries the open response: close it, or its socket leaks.
            exc.close()
            raise SmsDeliveryError(f"Gateway answered {exc.code}.") from exc
        except OSError as exc:
            raise SmsDeliveryError(str(exc)) from exc


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
