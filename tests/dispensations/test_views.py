import html as htmllib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dispensations.enums import DispensationStatus as D
from dispensations.models import Dispensation
from dispensations.services import (
    dispensation_accept,
    dispensation_ask_complement,
    dispensation_refuse,
)
from enrolment.enums import EnrolmentStatus as E
from mutuelle.models import OutboxMessage
from mutuelle.roles import GESTIONNAIRE

from ..mutuelle.factories import CorrespondentAccessFactory, UserFactory
from .factories import employee_enrolment, exe_bytes, future, pdf_bytes, pdf_upload, submit

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


START = reverse("member_portal:dispensation_start")
TRACKING = reverse("member_portal:dispensation_list")


def proof_url(dispensation):
    proof = dispensation.proofs.first()
    return reverse("member_portal:dispensation_proof", args=[dispensation.pk, proof.pk])


def post_data(**overrides):
    data = {
        "payroll_id": "M-1024",
        "hire_date": "01/03/2024",
        "case": "spouse_employer",
        "end_date": "",
        "insurer_name": "",
        "sworn_statement": "on",
    }
    data.update(overrides)
    return data


# --- the request form -----------------------------------------------------------------


def test_form_prefilled_with_only_the_contracts_cases(client, django_assert_max_num_queries):
    enrolment = employee_enrolment(act_cases=["part_time_10_percent"])
    client.force_login(enrolment.employee.user)
    with django_assert_max_num_queries(8):
        response = client.get(START)
    html = text(response)
    assert response.status_code == 200
    assert 'value="M-1024"' in html and 'value="01/03/2024"' in html
    assert 'value="part_time_10_percent"' in html
    assert 'value="fixed_term_under_12_months"' not in html
    assert 'value="evin_unilateral_decision"' not in html
    assert "Vous pouvez encore joindre 5 fichier(s)" in html
    assert "vous renoncez en pleine connaissance de cause" in html
    assert ">Envoyer</button>" in html


def test_bad_input_keeps_what_was_typed_and_says_why(client):
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    response = client.post(
        START,
        post_data(case="individual_contract", payroll_id="M-9999", hire_date="31/02/2024"),
    )
    html = text(response)
    assert response.status_code == 200
    assert "Saisissez une date au format JJ/MM/AAAA." in html
    assert 'value="M-9999"' in html
    assert 'value="individual_contract"\n              data-end-date="1"' in html or (
        'id="case-individual_contract"' in html and "checked" in html
    )
    response = client.post(START, post_data(case="individual_contract"))
    assert "Indiquez la date : échéance annuelle du contrat individuel." in text(response)
    response = client.post(START, post_data(sworn_statement=""))
    assert "Vous devez accepter la déclaration sur l'honneur." in text(response)
    assert not Dispensation.objects.exists()


def test_renamed_executable_is_refused_next_to_the_field(client):
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    evil = SimpleUploadedFile("carte.pdf", exe_bytes(), content_type="application/pdf")
    response = client.post(START, {**post_data(), "proofs": [evil]})
    assert response.status_code == 200
    assert "« carte.pdf » n'est pas un fichier PDF, JPEG ou PNG" in text(response)
    assert not Dispensation.objects.exists()
    enrolment.refresh_from_db()
    assert enrolment.status == E.INVITED


def test_submit_shows_the_acknowledgement_and_sends_the_email(
    client, django_capture_on_commit_callbacks
):
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {**post_data(), "proofs": [pdf_upload()]})
    dispensation = Dispensation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("member_portal:dispensation_done", args=[dispensation.pk])
    html = text(client.get(response.url))
    assert "Merci, votre demande de dispense a bien été enregistrée." in html
    assert "PAUL " + enrolment.employee.last_name.upper() in html
    assert "Ayant droit du régime de l'employeur du conjoint" in html
    assert timezone.localdate(dispensation.created_at).strftime("%d/%m/%Y") in html
    assert f"Dispense N°{dispensation.number}" in html
    assert OutboxMessage.objects.filter(key=f"dispensation-received:{dispensation.pk}").count() == 1
    # A second visit to the form goes to the tracking page: one request at a time.
    assert client.get(START).url == TRACKING


def test_form_unavailable_when_the_contract_does_not_offer_it(client):
    enrolment = employee_enrolment()
    enrolment.contract.dispensation_enabled = False
    enrolment.contract.save()
    client.force_login(enrolment.employee.user)
    assert client.get(START).status_code == 404


# --- tracking, complement, withdrawal ---------------------------------------------------


def test_tracking_page_lists_history_and_complement_link(client):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    staff = UserFactory(staff=True)
    dispensation_ask_complement(
        dispensation=dispensation, by=staff, message="manque attestation employeur"
    )
    client.force_login(enrolment.employee.user)
    with CaptureQueriesContext(connection) as one:
        html = text(client.get(TRACKING))
    assert len(one) <= 7  # the space's menu reads the member's enrolments once
    assert f"Dispense N°{dispensation.number}" in html
    assert "manque attestation employeur" in html
    assert "En attente de complément" in html
    assert "Compléter ma demande" in html
    assert "Historique de la demande" in html
    assert "Date d'initialisation Le" in html
    # More requests, same number of queries.
    other = employee_enrolment()
    other.employee.user = enrolment.employee.user
    other.employee.save()
    submit(other)
    with CaptureQueriesContext(connection) as two:
        assert text(client.get(TRACKING)).count("Dispense N°") == 2
    assert len(two) == len(one)


def test_complete_sends_the_request_back_to_en_cours(client):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    dispensation_ask_complement(
        dispensation=dispensation, by=UserFactory(staff=True), message="Carte illisible"
    )
    client.force_login(enrolment.employee.user)
    url = reverse("member_portal:dispensation_complete", args=[dispensation.pk])
    page = text(client.get(url))
    assert "Carte illisible" in page
    assert "Vous pouvez encore joindre 4 fichier(s)" in page
    response = client.post(
        url, {"payroll_id": "M-1024", "hire_date": "01/03/2024", "proofs": [pdf_upload("b.pdf")]}
    )
    assert response.status_code == 302
    dispensation.refresh_from_db()
    assert dispensation.status == D.SUBMITTED
    assert dispensation.proofs.count() == 2
    # Not awaiting a complement any more: the page sends back to the tracking.
    assert client.get(url).url == TRACKING


def test_withdraw_then_enrol(client):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    client.force_login(enrolment.employee.user)
    url = reverse("member_portal:dispensation_withdraw", args=[dispensation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.url == reverse("member_portal:home")
    enrolment.refresh_from_db()
    dispensation.refresh_from_db()
    assert (enrolment.status, dispensation.status) == (E.IN_PROGRESS, D.WITHDRAWN)


# --- privacy --------------------------------------------------------------------------


def test_proof_served_to_its_employee_only(client):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    url = proof_url(dispensation)
    client.force_login(enrolment.employee.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes()
    response.close()

    correspondent = CorrespondentAccessFactory(company=enrolment.employee.company).user
    other_employee = employee_enrolment(employee__company=enrolment.employee.company)
    for intruder in (correspondent, other_employee.employee.user):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        for name in ("dispensation_done", "dispensation_complete", "dispensation_withdraw"):
            assert (
                client.get(reverse(f"member_portal:{name}", args=[dispensation.pk])).status_code
                == 404
            )
        assert f"N°{dispensation.number}" not in text(client.get(TRACKING))
    client.logout()
    assert client.get(url).status_code == 302


def test_proofs_are_not_under_a_public_url(client):
    dispensation = submit(employee_enrolment())
    proof = dispensation.proofs.get()
    assert client.get("/fichiers-prives/" + proof.file.name).status_code == 404


# --- back office ------------------------------------------------------------------------


@pytest.fixture
def back_office(client):
    """A « Gestionnaire » of the back office (the group the foundation keeps in sync)."""
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(user)
    return user


CHANGELIST = reverse("admin:dispensations_dispensation_changelist")


def test_admin_queue_filters_and_query_count(client, back_office, django_assert_max_num_queries):
    first = submit(employee_enrolment())
    second = submit(employee_enrolment())
    dispensation_accept(dispensation=second, by=back_office)
    with django_assert_max_num_queries(14):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    html = text(response)
    assert f"Dispense N°{first.number}" in html and f"Dispense N°{second.number}" in html
    html = text(client.get(CHANGELIST, {"status__exact": D.ACCEPTED}))
    assert f"Dispense N°{second.number}" in html and f"Dispense N°{first.number}" not in html
    company = first.enrolment.employee.company
    html = text(client.get(CHANGELIST, {"entreprise": company.pk}))
    assert f"Dispense N°{first.number}" in html and f"Dispense N°{second.number}" not in html
    html = text(client.get(CHANGELIST, {"age": "gt30"}))
    assert f"Dispense N°{first.number}" not in html
    assert client.get(CHANGELIST, {"justificatif_annuel": "en_retard"}).status_code == 200
    change = client.get(reverse("admin:dispensations_dispensation_change", args=[first.pk]))
    assert "Art. L911-7 III et D911-2 3° a) CSS" in text(change)


def test_admin_ask_complement_needs_a_message(client, back_office):
    dispensation = submit(employee_enrolment())
    data = {"action": "action_ask_complement", "_selected_action": [dispensation.pk]}
    form = client.post(CHANGELIST, data)
    assert form.status_code == 200
    assert "Message au salarié" in text(form)
    refused = client.post(CHANGELIST, {**data, "apply": "1", "message": ""})
    assert "Ce champ est obligatoire." in text(refused)
    dispensation.refresh_from_db()
    assert dispensation.status == D.SUBMITTED
    done = client.post(CHANGELIST, {**data, "apply": "1", "message": "Carte illisible"})
    assert done.status_code == 302
    dispensation.refresh_from_db()
    assert (dispensation.status, dispensation.back_office_message) == (
        D.AWAITING_COMPLEMENT,
        "Carte illisible",
    )


def test_admin_accept_and_refuse(client, back_office):
    to_accept = submit(employee_enrolment())
    to_refuse = submit(employee_enrolment())
    accept = {"action": "action_accept", "_selected_action": [to_accept.pk]}
    # The action asks for confirmation first, listing the requests.
    confirmation = client.post(CHANGELIST, accept)
    assert confirmation.status_code == 200 and f"N°{to_accept.number}" in text(confirmation)
    to_accept.refresh_from_db()
    assert to_accept.status == D.SUBMITTED
    client.post(CHANGELIST, {**accept, "apply": "1"})
    refuse = {"action": "action_refuse", "_selected_action": [to_refuse.pk], "apply": "1"}
    client.post(CHANGELIST, {**refuse, "reason": ""})
    to_refuse.refresh_from_db()
    assert to_refuse.status == D.SUBMITTED
    client.post(CHANGELIST, {**refuse, "reason": "Justificatif périmé"})
    to_accept.refresh_from_db()
    to_refuse.refresh_from_db()
    assert to_accept.status == D.ACCEPTED and to_accept.decided_by == back_office
    assert to_accept.enrolment.status == E.DISPENSED
    assert (to_refuse.status, to_refuse.refusal_reason) == (D.REFUSED, "Justificatif périmé")
    # Accepting again is refused with a message, nothing changes.
    response = client.post(CHANGELIST, {**accept, "apply": "1"}, follow=True)
    assert "Action impossible" in text(response)


def test_admin_decides_from_the_detail_page(
    client, back_office, django_capture_on_commit_callbacks
):
    dispensation = submit(employee_enrolment())
    change = reverse("admin:dispensations_dispensation_change", args=[dispensation.pk])
    page = text(client.get(change))
    assert "Décider de cette demande" in page
    proof = dispensation.proofs.get()
    assert (
        reverse("admin:dispensations_dispensation_proof", args=[dispensation.pk, proof.pk])
        in client.get(change).content.decode()
    )

    def decide(decision, data=None, **kw):
        url = reverse("admin:dispensations_dispensation_decision", args=[dispensation.pk, decision])
        return client.post(url, data or {}, **kw)

    # Refusing needs a reason; accepting shows a confirmation page on GET.
    assert decide("refuser", {"reason": " "}).url == change
    accept_url = reverse(
        "admin:dispensations_dispensation_decision", args=[dispensation.pk, "accepter"]
    )
    confirmation = text(client.get(accept_url))
    assert "Confirmer l'acceptation" in confirmation
    dispensation.refresh_from_db()
    assert dispensation.status == D.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        done = decide("accepter", follow=True)
    assert "acceptée : le salarié et l'entreprise en sont informés" in text(done)
    dispensation.refresh_from_db()
    assert dispensation.status == D.ACCEPTED and dispensation.decided_by == back_office
    assert "Décider de cette demande" not in text(client.get(change))
    again = decide("refuser", {"reason": "Trop tard"}, follow=True)
    assert "Décision impossible" in text(again)
    assert (
        client.post(
            reverse("admin:dispensations_dispensation_decision", args=[dispensation.pk, "autre"])
        ).status_code
        == 404
    )


def test_admin_refuses_from_the_detail_page(client, back_office):
    dispensation = submit(employee_enrolment())
    url = reverse("admin:dispensations_dispensation_decision", args=[dispensation.pk, "refuser"])
    client.post(url, {"reason": "Justificatif périmé"})
    dispensation.refresh_from_db()
    assert (dispensation.status, dispensation.refusal_reason) == (D.REFUSED, "Justificatif périmé")
    client.force_login(UserFactory(staff=True))  # staff without the permission
    other = submit(employee_enrolment())
    forbidden = reverse("admin:dispensations_dispensation_decision", args=[other.pk, "accepter"])
    assert client.post(forbidden).status_code in {403, 404}
    other.refresh_from_db()
    assert other.status == D.SUBMITTED


def test_admin_proof_view_for_back_office_only(client, back_office):
    dispensation = submit(employee_enrolment())
    proof = dispensation.proofs.get()
    url = reverse("admin:dispensations_dispensation_proof", args=[dispensation.pk, proof.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    response.close()
    wrong = reverse("admin:dispensations_dispensation_proof", args=[dispensation.pk + 1, proof.pk])
    assert client.get(wrong).status_code == 404
    client.force_login(UserFactory(staff=True))  # staff without the permission
    assert client.get(url).status_code == 403
    client.force_login(dispensation.enrolment.employee.user)
    assert client.get(url).status_code == 302  # to the admin login


def test_contract_settings_admin_lists_act_only_cases(client, back_office):
    enrolment = employee_enrolment()
    url = reverse("admin:dispensations_contractdispensationsettings_add")
    html = text(client.get(url))
    assert "R242-1-6 2° b)" in html and "D911-2 3°" not in html
    response = client.post(
        url,
        {"contract": enrolment.contract.pk, "act_cases": ["fixed_term_under_12_months"]},
    )
    assert response.status_code == 302
    assert enrolment.contract.dispensation_settings.act_cases == ["fixed_term_under_12_months"]
    hire = future(-3)
    assert (
        submit(
            enrolment,
            case="fixed_term_under_12_months",
            files=[],
            end_date=future(90),
            hire_date=hire,
        ).status
        == D.SUBMITTED
    )


def test_correspondent_sees_status_changes_only(client):
    enrolment = employee_enrolment()
    dispensation = submit(enrolment)
    staff = UserFactory(staff=True)
    dispensation_ask_complement(dispensation=dispensation, by=staff, message="Carte illisible")
    dispensation_refuse(dispensation=dispensation, by=staff, reason="Conjoint non couvert")
    company = enrolment.employee.company
    client.force_login(CorrespondentAccessFactory(company=company).user)
    url = reverse("employer_portal:request_detail", args=[company.pk, dispensation.request.pk])
    page = text(client.get(url))
    assert "Dispense refusée : le salarié est invité à adhérer" in page
    for secret in (
        "Carte illisible",
        "Conjoint non couvert",
        "Ayant droit du régime de l'employeur du conjoint",
        ".pdf",
    ):
        assert secret not in page
