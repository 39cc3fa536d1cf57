import html as htmllib

import pytest
from django.urls import reverse

from contributions.enums import InstalmentStatus as I
from contributions.enums import PaymentStatus
from contributions.models import CardPayment, Instalment
from contributions.payments import notification_body, sign
from enrolment.enums import MemberDocumentKind

from .test_payments import in_arrears

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def test_situation_up_to_date_then_late_then_paid_on_the_development_page(client, settings):
    settings.PAYMENT_BACKEND = "contributions.payments.DevelopmentPaymentBackend"
    enrolment, late = in_arrears()
    client.force_login(enrolment.employee.user)
    html = text(client.get(reverse("member_portal:situation")))
    assert "2 cotisations en retard" in html and "106,20\u00a0€" in html
    response = client.post(reverse("member_portal:pay"))
    payment = CardPayment.objects.get()
    assert response.url == reverse("member_portal:payment_page") + f"?reference={payment.reference}"
    page = client.get(response.url)
    assert "Payer 106,20\u00a0€" in text(page)
    client.post(response.url, {"outcome": "paid"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert "Votre situation est à jour." in text(client.get(reverse("member_portal:situation")))
    assert set(
        Instalment.objects.filter(pk__in=[i.pk for i in late]).values_list("status", flat=True)
    ) == {I.SETTLED}


def test_someone_elses_payment_page_is_404(client):
    enrolment, _ = in_arrears()
    client.force_login(enrolment.employee.user)
    client.post(reverse("member_portal:pay"))
    payment = CardPayment.objects.get()
    other, _ = in_arrears()
    client.force_login(other.employee.user)
    url = reverse("member_portal:payment_page") + f"?reference={payment.reference}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "paid"}).status_code == 404


def test_notification_endpoint_checks_the_signature_and_counts_once(client):
    enrolment, _ = in_arrears()
    client.force_login(enrolment.employee.user)
    client.post(reverse("member_portal:pay"))
    client.logout()
    payment = CardPayment.objects.get()
    body = notification_body(payment=payment, status="paid", provider_id="PSP-9")
    url = reverse("member_portal:payment_notify")
    bad = client.post(url, body, content_type="application/json", headers={"X-Signature": "00"})
    assert bad.status_code == 400
    for _ in range(2):
        ok = client.post(
            url, body, content_type="application/json", headers={"X-Signature": sign(body)}
        )
        assert ok.status_code == 200
    assert enrolment.member_documents.filter(kind=MemberDocumentKind.RECEIPT).count() == 1


def test_schedule_page_and_pdf_filed_in_documents(client):
    enrolment, _ = in_arrears()
    client.force_login(enrolment.employee.user)
    page = client.get(reverse("member_portal:schedule"))
    html = text(page)
    assert "10/01/20" in html or "Prélèvements prévus" in html
    # A year is not an amount: no thousands separator (« 2 026 »).
    assert f"Mon échéancier de cotisations {page.context['year']}</h1>" in page.content.decode()
    # « Prélèvement mensuelle » mixed genders: the frequency's label is feminine.
    frequency = enrolment.get_debit_frequency_display().lower()
    assert f"Fréquence de prélèvement : {frequency}, le {enrolment.debit_day} du mois" in html
    pdf = client.get(reverse("member_portal:schedule") + "?format=pdf")
    assert pdf.content.startswith(b"%PDF-")
    client.get(reverse("member_portal:schedule") + "?format=pdf")
    assert enrolment.member_documents.filter(kind=MemberDocumentKind.SCHEDULE).count() == 1
