"""Paying arrears by card: signed notifications, idempotence, both backends."""

import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from contributions.enums import InstalmentStatus as I
from contributions.enums import PaymentStatus
from contributions.models import Instalment
from contributions.payments import (
    DevelopmentPaymentBackend,
    PaymentError,
    PaymentUrls,
    card_payment_start,
    notification_body,
    payment_notification_receive,
    sign,
)
from contributions.services import debit_batch_build, debit_returns_record
from enrolment.enums import MemberDocumentKind

from .factories import member_with_instalments

pytestmark = pytest.mark.django_db
URLS = PaymentUrls(
    return_url="http://testserver/retour",
    notify_url="http://testserver/notification",
    development_page_url="http://testserver/paiement-dev",
)


def in_arrears():
    enrolment = member_with_instalments()
    debit_batch_build(collection_date=dt.date(2026, 1, 10))
    debit_batch_build(collection_date=dt.date(2026, 2, 10))
    late = list(Instalment.objects.filter(enrolment=enrolment, status=I.PRESENTED))
    debit_returns_record(returns=[(i.end_to_end_id, "AM04") for i in late])
    return enrolment, late


def test_development_page_pays_through_the_signed_notification_and_files_a_receipt(settings):
    settings.PAYMENT_BACKEND = "contributions.payments.DevelopmentPaymentBackend"
    enrolment, late = in_arrears()
    payment, url = card_payment_start(enrolment=enrolment, by=enrolment.employee.user, urls=URLS)
    assert url == f"{URLS.development_page_url}?reference={payment.reference}"
    assert payment.amount == sum(i.amount for i in late)
    DevelopmentPaymentBackend().complete(payment, paid=True)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert set(
        Instalment.objects.filter(pk__in=[i.pk for i in late]).values_list("status", flat=True)
    ) == {I.SETTLED}
    receipt = enrolment.member_documents.get(kind=MemberDocumentKind.RECEIPT)
    with receipt.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    with pytest.raises(ValidationError):  # nothing late any more
        card_payment_start(enrolment=enrolment, by=enrolment.employee.user, urls=URLS)


def test_notification_signature_checked_and_a_retry_counts_once():
    enrolment, _ = in_arrears()
    payment, _ = card_payment_start(enrolment=enrolment, by=enrolment.employee.user, urls=URLS)
    body = notification_body(payment=payment, status="paid", provider_id="PSP-1")
    with pytest.raises(PaymentError):
        payment_notification_receive(body=body, signature="0" * 64)
    tampered = body.replace(b'"paid"', b'"paid" ')
    with pytest.raises(PaymentError):
        payment_notification_receive(body=tampered, signature=sign(body))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    payment_notification_receive(body=body, signature=sign(body))
    payment_notification_receive(body=body, signature=sign(body))  # the provider retries
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert enrolment.member_documents.filter(kind=MemberDocumentKind.RECEIPT).count() == 1


def test_a_notification_with_another_amount_is_refused():
    enrolment, _ = in_arrears()
    payment, _ = card_payment_start(enrolment=enrolment, by=enrolment.employee.user, urls=URLS)
    data = json.loads(notification_body(payment=payment, status="paid", provider_id="PSP-1"))
    data["amount"] = 1
    body = json.dumps(data).encode()
    with pytest.raises(PaymentError):
        payment_notification_receive(body=body, signature=sign(body))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


class FakeProvider(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        data = json.loads(self.rfile.read(length))
        FakeProvider.received.append((self.path, self.headers["Authorization"], data))
        if data["amount"] <= 0:
            self.send_response(422)
            self.end_headers()
            return
        answer = json.dumps(
            {"id": "PSP-42", "redirect_url": f"http://paiement.test/{data['reference']}"}
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeProvider.received = []
    settings.PAYMENT_BACKEND = "contributions.payments.HostedPaymentBackend"
    settings.PAYMENT_PROVIDER_URL = f"http://127.0.0.1:{server.server_port}/api/"
    settings.PAYMENT_PROVIDER_API_KEY = "cle-api"
    settings.PAYMENT_NOTIFICATION_SECRET = "secret-du-prestataire"
    yield server
    server.shutdown()
    server.server_close()


def test_hosted_backend_against_a_local_fake_provider(provider, settings):
    enrolment, _ = in_arrears()
    payment, url = card_payment_start(enrolment=enrolment, by=enrolment.employee.user, urls=URLS)
    assert url == f"http://paiement.test/{payment.reference}"
    path, auth, data = FakeProvider.received[0]
    assert (path, auth) == ("/api/payments", "Bearer cle-api")
    assert data["amount"] == int(payment.amount * 100) and data["notify_url"] == URLS.notify_url
    payment.refresh_from_db()
    assert payment.provider_id == "PSP-42" and payment.backend == "prestataire"
    # The provider's notification, signed with the shared secret.
    body = notification_body(payment=payment, status="paid", provider_id="PSP-42")
    payment_notification_receive(body=body, signature=sign(body))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    # A provider that is down: the member gets a message, nothing is paid.
    with socket.socket() as closed:  # a free port that nobody listens on
        closed.bind(("127.0.0.1", 0))
        settings.PAYMENT_PROVIDER_URL = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    enrolment2, _ = in_arrears()
    with pytest.raises(PaymentError):
        card_payment_start(enrolment=enrolment2, by=enrolment2.employee.user, urls=URLS)
