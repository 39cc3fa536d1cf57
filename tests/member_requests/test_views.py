"""« Mes demandes », « Faire une autre demande », RIB changes and the mandate's
signature, through the test client."""

import html as htmllib

import pytest
from django.urls import reverse

from dispensations.enums import DispensationStatus
from enrolment.enums import RequestType
from enrolment.models import Request
from member_requests.enums import MandateStatus as M
from member_requests.enums import MemberRequestKind as K
from member_requests.enums import MemberRequestStatus as S
from member_requests.models import MemberRequest, SepaMandate
from member_requests.services import member_request_ask_complement, member_request_refuse
from tests.dispensations.factories import exe_bytes, pdf_upload
from tests.enrolment.signing import last_sms_code
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

from .factories import covered_member, sent_request

pytestmark = pytest.mark.django_db
REQUESTS = reverse("member_portal:requests")


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


@pytest.fixture
def member(client):
    enrolment = covered_member()
    client.force_login(enrolment.employee.user)
    return enrolment


def test_mes_demandes_lists_affiliation_and_requests_in_constant_queries(
    client, member, django_assert_num_queries
):
    refused = sent_request(member)
    member_request_refuse(member_request=refused, by=UserFactory(staff=True), reason="Doublon")
    waiting = sent_request(member)
    member_request_ask_complement(
        member_request=waiting, by=UserFactory(staff=True), message="Joignez votre RIB"
    )
    # 8: session, user, the member's enrolments (the space's menu), then the page's own.
    with django_assert_num_queries(8):
        response = client.get(REQUESTS)
    html = text(response)
    current, closed = html.split('id="traitees"')
    assert f"Autre demande n° {waiting.number}" in current and "Joignez votre RIB" in current
    assert "Compléter ma demande" in current and "Retirer ma demande" in current
    assert (
        f"Autre demande n° {refused.number}" in closed
        and "Motif du refus :</strong> Doublon" in closed
    )
    assert "Affiliation n° " in closed and "Adhésion validée" in closed
    assert "Mis en gestion" not in html  # the back office's word, not the employee's
    assert "Centre de gestion : Complément demandé" in current
    for _ in range(4):
        sent_request(member, files=2)
    with django_assert_num_queries(8):
        client.get(REQUESTS)


def test_dispensation_appears_with_its_status(client, django_assert_num_queries):
    from tests.dispensations.factories import employee_enrolment, submit

    dispensation = submit(employee_enrolment())
    client.force_login(dispensation.enrolment.employee.user)
    html = text(client.get(REQUESTS))
    assert f"Dispense d'adhésion n° {dispensation.number}" in html
    assert DispensationStatus.SUBMITTED.label in html
    assert Request.objects.filter(type=RequestType.DISPENSATION).count() == 1


def test_another_members_request_answers_404(client, member):
    other = sent_request()
    document = other.documents.get()
    for url in (
        reverse("member_portal:request_document", args=[other.pk, document.pk]),
        reverse("member_portal:request_complete", args=[other.pk]),
        reverse("member_portal:request_withdraw", args=[other.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("member_portal:request_withdraw", args=[other.pk])).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == S.SUBMITTED
    # A correspondent of the member's company sees nothing either.
    mine = sent_request(member)
    correspondent = CorrespondentAccessFactory(company=member.employee.company).user
    client.force_login(correspondent)
    url = reverse("member_portal:request_document", args=[mine.pk, mine.documents.get().pk])
    assert client.get(url).status_code == 404


def test_own_document_served_privately(client, member):
    mine = sent_request(member)
    url = reverse("member_portal:request_document", args=[mine.pk, mine.documents.get().pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    response.close()


def test_free_message_errors_in_one_pass_then_sent_once(client, member):
    url = reverse("member_portal:request_message")
    page = client.get(url)
    key = page.context["form"]["submission_key"].value()
    bad = client.post(
        url,
        {"message": "", "submission_key": key, "documents": [pdf_upload("x.pdf", exe_bytes())]},
    )
    html = text(bad)
    assert bad.status_code == 400
    assert "Écrivez votre demande." in html and "n'est pas un fichier PDF, JPEG ou PNG" in html
    data = {"message": "Changement d'adresse", "submission_key": key, "documents": [pdf_upload()]}
    assert client.post(url, data).status_code == 302
    data["documents"] = [pdf_upload()]
    assert client.post(url, data).status_code == 302  # reloaded: nothing new
    member_request = MemberRequest.objects.get()
    assert (member_request.kind, member_request.message) == (K.OTHER, "Changement d'adresse")
    assert member_request.documents.count() == 1


def test_complete_then_withdraw(client, member):
    member_request = sent_request(member)
    complete = reverse("member_portal:request_complete", args=[member_request.pk])
    assert client.get(complete).status_code == 302  # no complement asked
    member_request_ask_complement(
        member_request=member_request, by=UserFactory(staff=True), message="RIB ?"
    )
    empty = client.post(complete, {"message": ""})
    assert empty.status_code == 400 and "Joignez le document demandé" in text(empty)
    done = client.post(complete, {"message": "Voici", "documents": [pdf_upload("rib.pdf")]})
    assert done.status_code == 302
    member_request.refresh_from_db()
    assert member_request.status == S.IN_PROGRESS and member_request.documents.count() == 2
    withdraw = reverse("member_portal:request_withdraw", args=[member_request.pk])
    assert "Confirmer le retrait" in text(client.get(withdraw))
    client.post(withdraw)
    member_request.refresh_from_db()
    assert member_request.status == S.WITHDRAWN
    assert client.get(withdraw).status_code == 302


def test_contribution_account_change_and_mandate_signed_with_the_sms_code(client, member):
    url = reverse("member_portal:contribution_account")
    key = client.get(url).context["form"]["submission_key"].value()
    bad = client.post(
        url,
        {
            "holder": "Paul",
            "iban": "FR7630004000031234567890144",
            "bic": "BNPAFRPP",
            "submission_key": key,
        },
    )
    html = text(bad)
    assert bad.status_code == 400
    assert (
        "Joignez le RIB du nouveau compte." in html
        and 'value="FR7630004000031234567890144"' in html
    )
    assert not SepaMandate.objects.exclude(status=M.ACTIVE).exists()
    response = client.post(
        url,
        {
            "holder": "Paul Durand",
            "iban": "FR76 3000 4000 0312 3456 7890 143",
            "bic": "BNPAFRPP",
            "submission_key": key,
            "documents": [pdf_upload("rib.pdf")],
        },
    )
    mandate = SepaMandate.objects.get(status=M.TO_SIGN)
    sign_url = reverse("member_portal:mandate_sign", args=[mandate.pk])
    assert response.url == sign_url
    page = client.get(sign_url)
    assert mandate.reference in text(page)
    # The code goes to the mobile on record: no number to type.
    assert "06 •• •• •• 78, votre mobile enregistré" in text(page)
    fingerprint = page.context["sign_form"]["fingerprint"].value()
    refused = client.post(sign_url, {"action": "send", "tel-fingerprint": fingerprint})
    assert "Cochez cette case pour signer le mandat." in text(refused)
    client.post(
        sign_url,
        {
            "action": "send",
            "tel-mandate": "on",
            "tel-fingerprint": fingerprint,
        },
    )
    wrong = client.post(sign_url, {"action": "verify", "sms-code": "000000"})
    assert "Le code saisi est incorrect" in text(wrong)
    done = client.post(sign_url, {"action": "verify", "sms-code": last_sms_code()})
    assert done.url == REQUESTS
    mandate.refresh_from_db()
    assert mandate.status == M.SIGNED and mandate.evidence is not None
    pdf = client.get(reverse("member_portal:mandate_pdf", args=[mandate.pk]))
    assert pdf.content.startswith(b"%PDF-")


def test_benefit_account_for_a_beneficiary(client, member):
    url = reverse("member_portal:benefit_account")
    page = client.get(url)
    child = member.beneficiaries.get(relationship="enfant")
    assert "Clémence" in text(page)
    client.post(
        url,
        {
            "beneficiary": str(child.pk),
            "holder": "Clémence Simon",
            "iban": "FR7630004000031234567890143",
            "bic": "BNPAFRPP",
            "submission_key": page.context["form"]["submission_key"].value(),
            "documents": [pdf_upload("rib.pdf")],
        },
    )
    change = MemberRequest.objects.get(kind=K.BENEFIT_ACCOUNT).bank_account_change
    assert change.beneficiary == child and change.iban == "FR7630004000031234567890143"


def test_new_request_page_lists_the_types(client, member):
    html = text(client.get(reverse("member_portal:request_new")))
    assert "Modification de RIB de cotisation" in html and "Autre demande (message libre)" in html
