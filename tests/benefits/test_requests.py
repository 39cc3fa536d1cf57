from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.models import EstimateRequest, HealthDataAccess, ReimbursementRequest
from member_requests.enums import MemberRequestKind, MemberRequestStatus
from member_requests.models import MemberRequest
from member_requests.services import member_request_accept
from mutuelle.roles import GESTIONNAIRE
from tests.benefits.factories import covered_member
from tests.dispensations.factories import pdf_bytes
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


def pdf(name="facture.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), "application/pdf")


@pytest.fixture
def member(client):
    enrolment = covered_member()
    client.force_login(enrolment.employee.user)
    return enrolment


def test_member_sends_a_reimbursement_request_and_the_back_office_processes_it(
    client, member, django_capture_on_commit_callbacks
):
    url = reverse("member_portal:reimbursement_request")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"beneficiaire": "adherent", "montant": "abc", "facture": ""})
    assert bad.status_code == 400
    assert "Date des soins" in bad.text and "Facture acquittée" in bad.text
    fake = SimpleUploadedFile("facture.pdf", b"not a pdf at all", "application/pdf")
    form = {
        "beneficiaire": "adherent",
        "date_soins": "2026-11-02",
        "nature": "medecines_douces",
        "montant": "60,00",
        "professionnel": "Julie Roux, ostéopathe",
        "submission_key": "k1",
    }
    refused = client.post(url, {**form, "facture": fake})
    assert "son contenu a été vérifié" in refused.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**form, "facture": pdf()})
        client.post(url, {**form, "facture": pdf()})  # double submit
    assert response.status_code == 302, response.context["form"].errors
    member_request = MemberRequest.objects.get()
    assert member_request.kind == MemberRequestKind.REIMBURSEMENT
    detail = member_request.reimbursement_request
    assert (detail.amount_paid, detail.beneficiary) == (Decimal("60.00"), None)
    assert member_request.documents.get().label == "Facture"

    staff = UserFactory(staff=True)
    staff.groups.add(Group.objects.get(name=GESTIONNAIRE))
    with pytest.raises(ValidationError, match="code acte"):
        member_request_accept(member_request=member_request, by=staff)
    client.force_login(staff)
    admin_url = reverse("admin:benefits_benefitrequest_change", args=[member_request.pk])
    page = client.get(admin_url)
    assert page.status_code == 200
    assert HealthDataAccess.objects.filter(user=staff, enrolment=member).exists()
    ReimbursementRequest.objects.filter(pk=detail.pk).update(
        act_code="MEDECINES_DOUCES", out_of_nomenclature=True
    )
    changelist = reverse("admin:benefits_benefitrequest_changelist")
    client.post(changelist, {"action": "action_accept", "_selected_action": [member_request.pk]})
    member_request.refresh_from_db()
    assert member_request.status == MemberRequestStatus.ACCEPTED
    line = ReimbursementRequest.objects.get(pk=detail.pk).line
    # Base + Option 1: 40 € a session.
    assert (line.mutuelle_share, line.out_of_pocket) == (Decimal("40.00"), Decimal("20.00"))
    assert line.reference == f"DEMANDE-{member_request.number}"
    client.force_login(member.employee.user)
    assert (
        "Julie Roux"
        in client.get(reverse("member_portal:reimbursement_detail", args=[line.pk])).text
    )


def test_instant_estimate_then_quote_answered_as_a_pdf(client, member):
    url = reverse("member_portal:estimate")
    page = client.get(
        url,
        {"beneficiaire": "adherent", "acte": "CONSULT_SPE", "prix": "60", "secteur": "NON_OPTAM"},
    )
    result = page.context["result"]
    # Usual BR 30 € at 70 % minus 2 €: 19 €; Option 1 non-OPTAM 180 % → 54 − 21 = 33 €.
    assert (result.ss_paid, result.computation.mutuelle) == (Decimal("19.00"), Decimal("33.00"))
    assert result.usual and "base et taux habituels" in page.text
    assert page.context["quote_form"] is None  # not a quote domain
    glasses = {"beneficiaire": "adherent", "acte": "OPTIQUE_ADULTE", "prix": "420"}
    page = client.get(url, glasses)
    assert page.context["result"].computation.mutuelle == Decimal("250.00")
    assert "Reste du forfait sur la période" in page.text
    assert page.context["quote_form"] is not None
    response = client.post(url, {**glasses, "devis": pdf("devis.pdf"), "submission_key": "q1"})
    assert response.status_code == 302
    detail = EstimateRequest.objects.get()
    assert detail.member_request.kind == MemberRequestKind.ESTIMATE
    staff = UserFactory(staff=True)
    with pytest.raises(ValidationError, match="réponse"):
        member_request_accept(member_request=detail.member_request, by=staff)
    detail.answer = "Votre devis est conforme : 250 € seront pris en charge."
    detail.save()
    member_request_accept(member_request=detail.member_request, by=staff)
    detail.refresh_from_db()
    assert detail.answer_document.title.startswith("Réponse à votre devis")
    with detail.answer_document.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    # Attached to the request in « Mes demandes », downloadable by its owner only.
    answer_url = reverse("member_portal:document_file", args=[detail.answer_document.pk])
    requests_page = client.get(reverse("member_portal:requests")).text
    assert f'href="{answer_url}"' in requests_page
    assert f"Réponse de la mutuelle — {detail.answer_document.filename}" in requests_page
    download = client.get(answer_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()
    client.force_login(covered_member().employee.user)
    assert client.get(answer_url).status_code == 404
    assert answer_url not in client.get(reverse("member_portal:requests")).text


def test_estimate_form_errors_and_other_members_acts(client, member):
    page = client.get(
        reverse("member_portal:estimate"), {"acte": "INCONNU", "prix": "-1", "base": "30"}
    )
    assert page.context["result"] is None
    assert "Indiquez la base et le taux ensemble" in page.text
