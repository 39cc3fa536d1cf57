"""In a real browser: the employee reads the form, ticks the boxes, signs with the code
from the development outbox and downloads the signed file; the back office validates it
in the admin; the correspondent then sees the request « Clôturée »."""

import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.models import Enrolment
from mutuelle.models import OutboxMessage
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    correspondent = CorrespondentAccessFactory(company=enrolment.employee.company).user
    staff = UserFactory(staff=True, is_superuser=True)
    return enrolment, correspondent, staff


def test_sign_download_validate_and_close(page, live_server, browser, people, tmp_path):
    """The employee's pages go through ``page`` (audited by axe-core); the back office
    (Django's admin) and the correspondent use their own browser contexts."""
    enrolment, correspondent, staff = people
    login(page, live_server, enrolment.employee.user.email, PASSWORD)

    page.goto(live_server.url + reverse("member_portal:signature_entry"))
    expect(page.get_by_role("heading", name="Bientôt terminé !")).to_be_visible()
    page.get_by_role("link", name="Vérifier mon bulletin").click()

    # The boxes wait until the form was scrolled to its end; « Signer » until both ticked.
    expect(page.get_by_role("heading", name="Mon bulletin d'adhésion")).to_be_visible()
    certify = page.get_by_label(re.compile("^Je certifie avoir répondu avec exactitude"))
    contract = page.get_by_label(re.compile("^J'ai pris connaissance du document contractuel"))
    sign = page.get_by_role("button", name="Signer")
    expect(certify).to_be_disabled()
    expect(sign).to_be_disabled()
    expect(page.locator("#form-preview")).to_contain_text("LAMBERT Claire")
    page.locator("#form-preview").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(certify).to_be_enabled()
    certify.check()
    expect(sign).to_be_disabled()
    contract.check()
    expect(sign).to_be_enabled()
    sign.click()

    # The SMS code, read from the development outbox.
    # The code goes to the mobile on record. Another number needs the password and its
    # own code; the form, which shows the number, is then read and ticked again.
    expect(page.get_by_role("heading", name="Signature")).to_be_visible()
    expect(page.get_by_text("06 •• •• •• 78")).to_be_visible()
    expect(page.get_by_text("Déclaré par l'employeur à la pré-affiliation.")).to_be_visible()
    page.get_by_role("link", name="Ce n'est pas mon numéro").click()
    page.get_by_label("Nouveau numéro de mobile").fill("07 81 22 33 44")
    page.get_by_label("Mot de passe de votre espace").fill("Pas-le-bon-2026!")
    page.get_by_label(re.compile("^Je certifie que ce numéro de mobile est le mien")).check()
    page.get_by_role("button", name="Recevoir un code sur ce numéro").click()
    expect(page.get_by_text("Le mot de passe saisi est incorrect.").first).to_be_visible()
    expect(page.get_by_label("Nouveau numéro de mobile")).to_have_value("07 81 22 33 44")
    page.get_by_label("Mot de passe de votre espace").fill(PASSWORD)
    page.get_by_label(re.compile("^Je certifie que ce numéro de mobile est le mien")).check()
    page.get_by_role("button", name="Recevoir un code sur ce numéro").click()
    expect(page.get_by_role("heading", name="Confirmer mon mobile")).to_be_visible()
    sms = OutboxMessage.objects.filter(channel="sms").latest("id")
    assert sms.recipient == "+33781223344"
    page.get_by_label("Code reçu par SMS").fill(re.search(r"\b(\d{6})\b", sms.body_text).group(1))
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_role("heading", name="Mon bulletin d'adhésion")).to_be_visible()
    page.locator("#form-preview").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(certify).to_be_enabled()
    certify.check()
    contract.check()
    sign.click()
    expect(page.get_by_text("07 •• •• •• 44")).to_be_visible()
    expect(page.get_by_text(re.compile("^Modifié à la signature"))).to_be_visible()
    page.get_by_role("button", name="Recevoir mon code par SMS").click()
    expect(page.get_by_text("07 •• •• •• 44")).to_be_visible()
    sms = OutboxMessage.objects.filter(channel="sms").latest("id")
    assert sms.recipient == "+33781223344"
    code = re.search(r"\b(\d{6})\b", sms.body_text).group(1)
    page.get_by_label("Code reçu par SMS").fill(code)
    # Signing renders and seals two PDFs before answering: slow on a loaded machine.
    page.get_by_role("button", name="Signer").click(timeout=60_000)

    expect(page.get_by_role("heading", name="Votre adhésion est terminée !")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mon dossier").click()
    target = tmp_path / "dossier.pdf"
    download_info.value.save_as(target)
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
        .replace("\u00a0", " ")
        .split()
    )
    assert "Page de signature électronique" in text and enrolment.member_number in text
    assert "Origine de ce numéro Modifié à la signature (mot de passe et code SMS)" in text
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.SIGNED

    # Back office: « Valider » on the signed enrolments to process.
    staff_context = browser.new_context(locale="fr-FR")
    try:
        admin = staff_context.new_page()
        login(admin, live_server, staff.email, PASSWORD)
        admin.goto(live_server.url + reverse("admin:enrolment_signedenrolment_changelist"))
        admin.check(f"input[name=_selected_action][value='{enrolment.pk}']")
        admin.select_option("select[name=action]", value="validate")
        admin.locator("button[name=index]").click()
        expect(admin.get_by_text("1 adhésion(s) validée(s)")).to_be_visible()
    finally:
        staff_context.close()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.requests.get().status == RequestStatus.CLOSED

    # Validated, the employee is a member: the space opens on « Mes remboursements »,
    # and « Mon contrat » shows the signed contract.
    page.goto(live_server.url + reverse("member_portal:home"))
    expect(page.get_by_role("heading", name="Mes remboursements", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Menu de l'espace adhérent").get_by_role(
        "link", name="Mon contrat"
    ).click()
    expect(page.get_by_role("heading", name="Mon contrat", exact=True)).to_be_visible()
    expect(page.get_by_text(enrolment.contract.number)).to_be_visible()
    expect(page.get_by_role("cell", name="Adhérent(e)")).to_be_visible()

    # The correspondent sees the request « Clôturée » in « Mes demandes ».
    hr_context = browser.new_context(locale="fr-FR")
    try:
        hr = hr_context.new_page()
        login(hr, live_server, correspondent.email, PASSWORD)
        hr.goto(
            live_server.url
            + reverse("employer_portal:requests", args=[enrolment.employee.company_id])
        )
        expect(hr.locator(".badge.status-cloturee")).to_have_text("Clôturée")
    finally:
        hr_context.close()
