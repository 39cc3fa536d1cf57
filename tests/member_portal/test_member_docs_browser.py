"""A member opens the card and downloads it, downloads an attestation, writes to an
advisor with an attachment; the back office answers in the admin; the member reads the
answer. Every member page is audited by axe-core (see tests/conftest.py)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conversations.models import Conversation
from enrolment.services.backoffice import enrolment_validate
from mutuelle.models import OutboxMessage
from tests.dispensations.factories import pdf_bytes
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import pdf_text, sign

from ..browser_support import login
from ..mutuelle.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_card_attestation_and_message_journey(page, live_server, browser, transactional_db):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    sign(enrolment)
    back_office = UserFactory(staff=True, is_superuser=True)
    enrolment_validate(enrolment=enrolment, by=back_office)
    base = live_server.url

    member = page
    login(member, live_server, enrolment.employee.user.email, PASSWORD)
    member.goto(f"{base}/adherent/contrat/carte/")
    expect(member.get_by_role("heading", level=1)).to_have_text("Ma carte mutualiste")
    expect(member.get_by_text(enrolment.member_number).first).to_be_visible()
    expect(member.get_by_text("LAMBERT Claire")).to_be_visible()
    with member.expect_download() as card_download:
        member.get_by_role("link", name="Télécharger ma carte (PDF)").click()
    card_text = pdf_text(Path(card_download.value.path()).read_bytes())
    assert enrolment.member_number in card_text and "PHAR" in card_text

    member.goto(f"{base}/adherent/documents/")
    expect(member.get_by_role("heading", level=1)).to_have_text("Mes documents")
    expect(member.get_by_role("rowheader", name="Dossier d'adhésion signé")).to_be_visible()
    # Sizes in the units French readers know: « 95 Ko », never « 95,0 Kio ».
    documents = member.get_by_role("main").inner_text()
    assert re.search(r"\(\d+(,\d)?\u00a0(Ko|Mo)\)", documents) and "io)" not in documents
    with member.expect_download() as attestation_download:
        member.get_by_role("button", name=re.compile("Mes attestations")).click()
    attestation = pdf_text(Path(attestation_download.value.path()).read_bytes())
    assert "Attestation d'appartenance" in attestation and enrolment.contract.number in attestation

    member.goto(f"{base}/adherent/contact/")
    expect(member.get_by_role("heading", name="Réclamations et médiation")).to_be_visible()
    member.get_by_role("link", name="Écrire à un conseiller").click()
    member.get_by_label("Sujet").select_option(label="Mes remboursements")
    member.get_by_label("Objet").fill("Devis de lunettes")
    member.get_by_label("Votre message").fill("Voici mon devis, quel sera mon remboursement ?")
    member.set_input_files(
        "input[name=attachments]",
        {"name": "devis.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Devis")},
    )
    member.get_by_role("button", name="Envoyer").click()
    expect(member.get_by_text("Votre message est envoyé à un conseiller.")).to_be_visible()
    expect(member.get_by_role("link", name="devis.pdf")).to_be_visible()
    conversation = Conversation.objects.get()

    staff_context = browser.new_context(locale="fr-FR")
    staff = staff_context.new_page()
    login(staff, live_server, back_office.email, PASSWORD)
    staff.goto(f"{base}/gestion/conversations/conversation/")
    staff.get_by_role("link", name="Devis de lunettes").click()
    expect(staff.get_by_text(enrolment.contract.number)).to_be_visible()
    staff.get_by_label("Votre réponse").fill("Votre devis est pris en charge à 100 %.")
    staff.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(staff.get_by_text("Réponse envoyée")).to_be_visible()
    staff_context.close()
    assert OutboxMessage.objects.filter(key__startswith="conversation-answered:").exists()

    member.goto(f"{base}/adherent/contact/messages/{conversation.pk}/")
    expect(member.get_by_text("Votre devis est pris en charge à 100 %.")).to_be_visible()
    expect(member.get_by_text("Répondu").first).to_be_visible()
