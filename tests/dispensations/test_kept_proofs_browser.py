"""In a real browser (axe-core on every page): a dispensation form shown again with an
error keeps the proof already attached, and the tracking page shows the proof's link
and « Retirer » without opening the history."""

import re

import pytest
from playwright.sync_api import expect

from dispensations.models import Dispensation

from ..browser_support import login
from ..mutuelle.factories import PASSWORD
from .factories import employee_enrolment, pdf_bytes

pytestmark = pytest.mark.browser


def test_proof_kept_across_an_error_then_visible_on_tracking(page, live_server, transactional_db):
    enrolment = employee_enrolment()
    login(page, live_server, enrolment.employee.user.email, PASSWORD)
    page.goto(f"{live_server.url}/adherent/dispense/")
    page.get_by_label(re.compile("employeur de son conjoint")).check()
    page.set_input_files(
        "input[name=proofs]",
        {"name": "Attestation Mutuelle.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    # The sworn statement is forgotten: the form comes back with the file kept.
    page.get_by_role("button", name="Envoyer").click()
    expect(
        page.get_by_text("Vous devez accepter la déclaration sur l'honneur.").first
    ).to_be_visible()
    kept = page.get_by_role("group", name="Fichiers déjà joints, conservés pour l'envoi")
    expect(kept.get_by_label(re.compile("Attestation_Mutuelle.pdf"))).to_be_checked()
    page.get_by_label(re.compile("Je déclare sur l'honneur l'exactitude")).check()
    page.get_by_role("button", name="Envoyer").click()
    expect(
        page.get_by_text("Merci, votre demande de dispense a bien été enregistrée.")
    ).to_be_visible()
    dispensation = Dispensation.objects.get()
    assert dispensation.proofs.get().original_name == "Attestation_Mutuelle.pdf"

    page.goto(f"{live_server.url}/adherent/dispense/suivi/")
    page.get_by_role("heading", name="Suivi de mes demandes en cours").wait_for()
    expect(page.get_by_role("link", name="Attestation_Mutuelle.pdf")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Retirer ma demande et adhérer"))
    ).to_be_visible()
    expect(page.get_by_text("Historique de la demande")).to_be_visible()
