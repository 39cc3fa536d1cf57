"""The whole dispensation journey in a real browser, with accessibility checks (axe-core)
on the employee's pages."""

import re

import pytest
from playwright.sync_api import expect

from dispensations.enums import DispensationStatus
from dispensations.models import Dispensation
from enrolment.enums import EnrolmentStatus, RequestStatus, RequestType

from ..browser_support import login
from ..mutuelle.factories import PASSWORD, CorrespondentAccessFactory, UserFactory
from .factories import employee_enrolment, pdf_bytes, png_bytes

pytestmark = pytest.mark.browser


def admin_action(page, base: str, dispensation, action_label: str) -> None:
    page.goto(f"{base}/gestion/dispensations/dispensation/")
    page.check(f"input[name=_selected_action][value='{dispensation.pk}']")
    page.select_option("select[name=action]", label=action_label)
    page.locator("button[name=index]").click()


def test_dispensation_journey(page, live_server, browser, transactional_db):
    """The employee's pages go through ``page`` (axe-core audits each of them); the
    back office and the correspondent use their own browser contexts."""
    enrolment = employee_enrolment()
    employee = enrolment.employee
    back_office = UserFactory(staff=True, is_superuser=True)
    correspondent = CorrespondentAccessFactory(company=employee.company).user
    base = live_server.url

    member = page
    login(member, live_server, employee.user.email, PASSWORD)
    member.goto(f"{base}/adherent/dispense/")
    expect(member.get_by_role("heading", level=1)).to_have_text("Dispense d'adhésion")
    expect(member.get_by_label("N° de matricule")).to_have_value("M-1024")
    expect(member.get_by_label("Date d'embauche")).to_have_value("01/03/2024")
    member.get_by_label(re.compile("employeur de son conjoint")).check()
    expect(member.locator("#end-date-row")).to_be_hidden()
    member.set_input_files(
        "input[name=proofs]",
        {"name": "Attestation Mutuelle.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    member.get_by_label(re.compile("Je déclare sur l'honneur l'exactitude")).check()
    member.get_by_role("button", name="Envoyer").click()
    expect(
        member.get_by_text("Merci, votre demande de dispense a bien été enregistrée.")
    ).to_be_visible()
    expect(member.get_by_text("Ayant droit du régime de l'employeur du conjoint")).to_be_visible()
    dispensation = Dispensation.objects.get()

    staff_context = browser.new_context(locale="fr-FR")
    staff = staff_context.new_page()
    login(staff, live_server, back_office.email, PASSWORD)
    admin_action(staff, base, dispensation, "Demander un complément")
    staff.get_by_label("Message au salarié (complément attendu)").fill(
        "manque attestation employeur"
    )
    staff.get_by_role("button", name="Demander un complément").click()
    expect(staff.get_by_text("1 demande(s) traitée(s).")).to_be_visible()

    member.goto(f"{base}/adherent/dispense/suivi/")
    expect(member.get_by_text("En attente de complément").first).to_be_visible()
    expect(member.get_by_text("manque attestation employeur").first).to_be_visible()
    member.get_by_role("link", name="Compléter ma demande").click()
    expect(member.get_by_text("Vous pouvez encore joindre 4 fichier(s)")).to_be_visible()
    member.set_input_files(
        "input[name=proofs]",
        {"name": "attestation employeur.png", "mimeType": "image/png", "buffer": png_bytes()},
    )
    member.get_by_role("button", name="Envoyer").click()
    expect(member.get_by_text("elle est de nouveau en cours")).to_be_visible()
    expect(member.locator(f"#demande-{dispensation.number}")).to_contain_text("En cours")

    # The decision is taken on the detail page, where the proofs are, and confirmed.
    staff.goto(f"{base}/gestion/dispensations/dispensation/{dispensation.pk}/change/")
    decision = staff.get_by_role("region", name="Décider de cette demande")
    with staff.expect_popup() as popup:
        decision.get_by_role("link", name="attestation_employeur.png").click()
    assert popup.value.evaluate("document.contentType") == "image/png"
    decision.get_by_role("link", name="Accepter la dispense…").click()
    staff.get_by_role("button", name="Confirmer l'acceptation").click()
    expect(
        staff.get_by_text("acceptée : le salarié et l'entreprise en sont informés")
    ).to_be_visible()

    member.goto(f"{base}/adherent/dispense/suivi/")
    expect(member.locator(f"#demande-{dispensation.number}")).to_contain_text("Traitée")

    dispensation.refresh_from_db()
    enrolment.refresh_from_db()
    assert dispensation.status == DispensationStatus.ACCEPTED
    assert enrolment.status == EnrolmentStatus.DISPENSED
    requests = {r.type: r.status for r in enrolment.requests.all()}
    assert requests == {
        RequestType.AFFILIATION: RequestStatus.CLOSED,
        RequestType.DISPENSATION: RequestStatus.CLOSED,
    }
    # The correspondent sees both requests « Clôturée » and the employee « Dispensé »,
    # never the case, the messages or the proofs.
    staff_context.close()
    employer_context = browser.new_context(locale="fr-FR")
    employer = employer_context.new_page()
    login(employer, live_server, correspondent.email, PASSWORD)
    company_id = employee.company_id
    employer.goto(f"{base}/entreprise/{company_id}/demandes/?type=dispense")
    row = employer.locator(".request-item", has_text=f"n° {dispensation.number}")
    expect(row).to_contain_text("Dispense")
    expect(row).to_contain_text("Clôturée")
    row.get_by_role("link").click()
    expect(employer.get_by_text("Traitée : dispense validée")).to_be_visible()
    for secret in (
        "manque attestation employeur",
        "Ayant droit du régime de l'employeur du conjoint",
        "attestation_employeur",
    ):
        expect(employer.get_by_text(secret)).to_have_count(0)
    employer.goto(f"{base}/entreprise/{company_id}/collaborateurs/")
    employee_row = employer.get_by_role("row", name=re.compile(employee.last_name.upper()))
    expect(employee_row.get_by_role("cell", name="Dispensé", exact=True)).to_be_visible()
    proof = dispensation.proofs.first()
    response = employer.goto(
        f"{base}/adherent/dispense/{dispensation.pk}/justificatifs/{proof.pk}/"
    )
    assert response.status == 404
    employer_context.close()
