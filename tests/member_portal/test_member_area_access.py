"""Every URL of the member area, walked as an anonymous visitor (sent to log in), a
correspondent (404: no hint the page exists) and another member (404 on the first
member's objects). The public pages (account creation, invitation, the payment
provider's notification) are listed here, so a new member URL is checked by default."""

import re

import pytest
from django.urls import URLPattern, reverse

from enrolment.enums import PhoneSource
from enrolment.models import Beneficiary
from enrolment.services.profile import phone_change_start
from member_portal import urls as member_urls
from member_requests.models import SepaMandate
from tests.member_requests.factories import covered_member, sent_request
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    "account_create",
    "account_requested",
    "account_activate",
    "terms",
    "legal_notice",
    "invitation",
    "confirm_email",
    "payment_notify",
}
MISSING = 999_999


def member_patterns() -> list[URLPattern]:
    return [p for p in member_urls.urlpatterns if p.name not in PUBLIC]


def path_of(pattern: URLPattern, ids: dict[str, int]) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
    kwargs = {name: ids.get(f"{pattern.name}.{name}", MISSING) for name in names}
    return reverse(f"member_portal:{pattern.name}", kwargs=kwargs)


def answer(client, path: str) -> int:
    response = client.get(path)
    if response.status_code == 405:  # POST-only views
        response = client.post(path)
    return response.status_code


def test_every_member_url_sends_the_anonymous_to_login(client):
    login = reverse("account_login")
    for pattern in member_patterns():
        response = client.get(path_of(pattern, {}))
        if response.status_code == 405:
            response = client.post(path_of(pattern, {}))
        assert response.status_code == 302, pattern.name
        assert response.url.startswith(login), pattern.name


def test_every_member_url_is_a_404_for_a_correspondent(client):
    access = CorrespondentAccessFactory()
    client.force_login(access.user)
    answers = {p.name: answer(client, path_of(p, {})) for p in member_patterns()}
    assert {name for name, status in answers.items() if status != 404} == set()


def test_every_member_url_with_an_id_is_a_404_for_another_member(client):
    first = covered_member()
    member_request = sent_request(first)
    document = member_request.documents.get()
    mandate = SepaMandate.objects.get(enrolment=first)
    beneficiary = Beneficiary.objects.filter(enrolment=first).first()
    ids = {}
    for name in (
        "signature_start",
        "signature_form",
        "signature_form_viewed",
        "signature_form_pdf",
        "signature_sms",
        "signature_done",
        "signature_dossier",
        "provident_notice",
    ):
        ids[f"{name}.enrolment_id"] = first.pk
    for name in ("request_complete", "request_withdraw", "request_document"):
        ids[f"{name}.pk"] = member_request.pk
    ids["request_document.document_pk"] = document.pk
    ids["mandate_sign.pk"] = ids["mandate_pdf.pk"] = mandate.pk
    ids["wizard_beneficiary_edit.pk"] = ids["wizard_beneficiary_remove.pk"] = beneficiary.pk
    ids["guarantee_table.pk"] = first.offer_id
    # Mobile changes of the first member, on the profile step and at the signature.
    ids["signature_phone.enrolment_id"] = first.pk
    ids["signature_phone.pk"] = phone_change_start(
        enrolment=first, phone="07 81 22 33 44", source=PhoneSource.SIGNATURE
    ).pk
    ids["wizard_profile_phone.pk"] = phone_change_start(
        enrolment=first, phone="07 81 22 33 45", source=PhoneSource.PROFILE
    ).pk
    other = covered_member(employee__user=UserFactory())
    client.force_login(other.employee.user)
    with_ids = [p for p in member_patterns() if "<" in str(p.pattern)]
    answers = {p.name: answer(client, path_of(p, ids)) for p in with_ids}
    # The wizard is closed to a member with no enrolment in progress: sent home.
    closed_wizard = {"wizard_beneficiary_edit", "wizard_beneficiary_remove", "wizard_profile_phone"}
    assert {name for name, status in answers.items() if status != 404} == closed_wizard
    assert {answers[name] for name in closed_wizard} == {302}
    # The first member reaches their own request's document.
    client.force_login(first.employee.user)
    own = reverse("member_portal:request_document", args=[member_request.pk, document.pk])
    response = client.get(own)
    assert response.status_code == 200
    response.close()  # the file it streams
