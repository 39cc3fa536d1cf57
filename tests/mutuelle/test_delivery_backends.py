"""Real delivery paths against fake servers on 127.0.0.1: the HTTP SMS gateway backend
(threaded http.server) and SMTP (aiosmtpd), through the delivery task."""

import base64
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from mutuelle.celery import app as celery_app
from mutuelle.enums import Channel, MessageStatus
from mutuelle.models import OutboxMessage
from mutuelle.notifications import notification_send
from mutuelle.sms import HttpGatewaySmsBackend, SmsDeliveryError
from mutuelle.tasks import deliver_message

pytestmark = pytest.mark.django_db


class FakeGateway(ThreadingHTTPServer):
    """Answers the queued statuses in turn (then 200), recording every request."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests: list[dict] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


class GatewayHandler(BaseHTTPRequestHandler):
    server: FakeGateway

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.requests.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "abc"}' if status < 300 else b'{"error": "busy"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = FakeGateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "mutuelle.sms.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_USERNAME = "portail"
    settings.SMS_GATEWAY_PASSWORD = "s3cret-passe"
    settings.SMS_SENDER = "MUTUELLE"
    settings.SMS_GATEWAY_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_gateway_success_sends_json_with_basic_auth(gateway):
    HttpGatewaySmsBackend().send(to="+33612345678", text="123456 est votre code.")
    [request] = gateway.requests
    assert request["path"] == "/sms"
    assert request["body"] == {
        "from": "MUTUELLE",
        "to": "+33612345678",
        "text": "123456 est votre code.",
    }
    assert request["headers"]["Content-Type"] == "application/json"
    expected = base64.b64encode(b"portail:s3cret-passe").decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"


def test_no_auth_header_without_credentials(gateway, settings):
    settings.SMS_GATEWAY_USERNAME = ""
    HttpGatewaySmsBackend().send(to="+33612345678", text="x")
    assert "Authorization" not in gateway.requests[0]["headers"]


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_gateway_non_2xx_is_a_failure(gateway, status):
    gateway.statuses = [status]
    with pytest.raises(SmsDeliveryError):
        HttpGatewaySmsBackend().send(to="+33612345678", text="x")


def test_unreachable_gateway_is_a_failure(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/sms"
    with pytest.raises(SmsDeliveryError):
        HttpGatewaySmsBackend().send(to="+33612345678", text="x")


def test_missing_url_is_a_failure(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(SmsDeliveryError):
        HttpGatewaySmsBackend().send(to="+33612345678", text="x")


@pytest.fixture
def inline_retries():
    """Eager tasks run Celery's retries inline only when errors do not propagate."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def _queue_sms(key="code:1") -> OutboxMessage:
    return notification_send(
        key=key,
        channel=Channel.SMS,
        to="+33612345678",
        template="signature_code",
        context={"code": "654321", "minutes": 10},
    )


def test_delivery_task_retries_until_the_gateway_accepts(gateway, inline_retries):
    message = _queue_sms()
    gateway.statuses = [503, 502]
    # Two failures, each recorded then retried by Celery, then the accepted send.
    assert deliver_message.apply(args=[message.pk]).state == "SUCCESS"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 3
    assert message.last_error == "" and message.sent_at
    assert len(gateway.requests) == 3
    assert "654321 est votre code" in gateway.requests[-1]["body"]["text"]
    # A redelivered task finds the message sent and sends nothing.
    deliver_message.apply(args=[message.pk])
    assert len(gateway.requests) == 3


def test_delivery_gives_up_after_max_retries_with_the_failure_recorded(gateway, inline_retries):
    message = _queue_sms()
    gateway.statuses = [503] * 20
    assert deliver_message.apply(args=[message.pk]).state == "FAILURE"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == deliver_message.max_retries + 1
    assert "503" in message.last_error
    assert len(gateway.requests) == message.attempts


def test_queued_sms_goes_out_after_commit(gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue_sms("code:2")
        assert gateway.requests == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert gateway.requests[0]["body"]["to"] == "+33612345678"


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def test_email_is_delivered_over_smtp(smtp_server, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(
            key="smtp:1",
            channel=Channel.EMAIL,
            to="salarie@example.fr",
            template="enrolment_returned",
            context={
                "employee": {"first_name": "Paul", "last_name": "Durand"},
                "message": "Merci de vérifier votre RIB.",
            },
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["salarie@example.fr"]
    assert "ne-pas-repondre@example.fr" in envelope.mail_from
    content = envelope.content.decode()
    assert "Subject:" in content and "Merci de v" in content


def test_smtp_refusal_is_a_failure(settings, inline_retries):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    message = notification_send(
        key="smtp:2",
        channel=Channel.EMAIL,
        to="salarie@example.fr",
        template="enrolment_returned",
        context={"employee": {"first_name": "A", "last_name": "B"}, "message": "x"},
    )
    assert deliver_message.apply(args=[message.pk]).state == "FAILURE"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.last_error
    assert message.attempts == deliver_message.max_retries + 1
