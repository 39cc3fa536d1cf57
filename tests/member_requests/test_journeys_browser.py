"""The member's journeys in a real browser, axe-core on every member page: add a child,
change the contribution account and sign the new mandate with the SMS code, declare
portability, pay arrears on the development payment page; the back office processes
each in its own browser context."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contributions.enums import InstalmentStatus
from contributions.models import Instalment
from contributions.services import debit_batch_build, debit_returns_record, instalments_generate
from member_requests.enums import MandateStatus
from member_requests.enums import MemberRequestKind as K
from member_requests.enums import MemberRequestStatus as S
from member_requests.models import MemberRequest, SepaMandate

from ..browser_support import login
from ..dispensations.factories import pdf_bytes
from ..enrolment.signing import last_sms_code
from ..mutuelle.factories import PASSWORD, UserFactory
from .factories import covered_member, member_in_portability

pytestmark = pytest.mark.browser


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(name)}


def accept_in_admin(browser, live_server, member_request, queue: str) -> None:
    back_office = UserFactory(staff=True, is_superuser=True)
    context = browser.new_context(locale="fr-FR")
    staff = context.new_page()
    login(staff, live_server, back_office.email, PASSWORD)
    staff.goto(f"{live_server.url}/gestion/member_requests/{queue}/")
    staff.check(f"input[name=_selected_action][value='{member_request.pk}']")
    staff.select_option("select[name=action]", label="Accepter la demande")
    staff.locator("button[name=index]").click()
    expect(staff.get_by_text("1 demande(s) traitée(s).")).to_be_visible()
    context.close()


def test_add_a_child_then_change_the_contribution_account(
    page, live_server, browser, transactional_db
):
    enrolment = covered_member()
    base = live_server.url
    login(page, live_server, enrolment.employee.user.email, PASSWORD)
    page.goto(f"{base}/adherent/demandes/")
    page.get_by_role("link", name="Faire une autre demande").click()
    page.get_by_role("link", name="Adjonction de bénéficiaire").click()
    expect(page.get_by_text("Votre cotisation mensuelle est aujourd'hui de")).to_be_visible()
    page.get_by_label("Enfant", exact=True).check()
    page.get_by_label("Madame").check()
    page.locator("#id_last_name").fill("Durand")
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("Date de naissance").fill(
        (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    )
    page.get_by_label("L'enfant est rattaché à mon numéro de sécurité sociale").check()
    page.get_by_label("Non").check()
    page.set_input_files("input[name=vitale]", pdf("vitale.pdf"))
    page.set_input_files("input[name=birth_certificate]", pdf("acte.pdf"))
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_text("sera couvert(e) à partir du")).to_be_visible()
    addition = MemberRequest.objects.get(kind=K.BENEFICIARY_ADD)
    accept_in_admin(browser, live_server, addition, "beneficiaryrequest")
    addition.refresh_from_db()
    assert addition.status == S.ACCEPTED
    assert enrolment.beneficiaries.filter(first_name="Léa").exists()

    page.goto(f"{base}/adherent/demandes/nouvelle/")
    page.get_by_role("link", name="Modification de RIB de cotisation").click()
    page.get_by_label("Titulaire du compte").fill("Paul Durand")
    page.get_by_label("IBAN").fill("FR76 3000 4000 0312 3456 7890 143")
    page.get_by_label("BIC").fill("BNPAFRPP")
    page.set_input_files("input[name=documents]", pdf("rib.pdf"))
    page.get_by_role("button", name="Continuer vers la signature du mandat").click()
    page.get_by_role("heading", name="Signer mon mandat de prélèvement SEPA").wait_for()
    page.get_by_label("J'autorise le prélèvement").check()
    # The code goes to the mobile on record, shown masked: nothing to type.
    expect(page.get_by_text("06 •• •• •• 78, votre mobile enregistré")).to_be_visible()
    page.get_by_role("button", name="Recevoir mon code par SMS").click()
    page.get_by_label("Code reçu par SMS").fill(last_sms_code())
    page.get_by_role("button", name="Signer mon mandat").click()
    expect(page.get_by_text("est signé.")).to_be_visible()
    mandate = SepaMandate.objects.get(status=MandateStatus.SIGNED)
    accept_in_admin(browser, live_server, mandate.change.request, "bankaccountrequest")
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE


def test_declare_portability_and_pay_arrears(
    page, live_server, browser, transactional_db, settings
):
    settings.PAYMENT_BACKEND = "contributions.payments.DevelopmentPaymentBackend"
    enrolment, termination = member_in_portability()
    base = live_server.url
    login(page, live_server, enrolment.employee.user.email, PASSWORD)
    page.goto(f"{base}/adherent/demandes/nouvelle/")
    page.get_by_role("link", name="Faire une déclaration de portabilité").click()
    page.set_input_files("input[name=are-documents]", pdf("are.pdf"))
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    expect(page.get_by_text("Votre déclaration n°")).to_be_visible()
    declaration = MemberRequest.objects.get(kind=K.PORTABILITY)
    accept_in_admin(browser, live_server, declaration, "portabilityrequest")
    termination.refresh_from_db()
    assert termination.unemployment_proof_on is not None

    enrolment.offer.member_monthly_cost = 12
    enrolment.offer.save(update_fields=["member_monthly_cost"])
    instalments_generate(enrolment=enrolment, until=timezone.localdate())
    first = Instalment.objects.filter(enrolment=enrolment).order_by("due_date").first()
    debit_batch_build(collection_date=first.due_date)
    debit_returns_record(returns=[(first.end_to_end_id, "AM04")])
    page.goto(f"{base}/adherent/cotisations/situation/")
    page.get_by_role("button", name="Régulariser par carte bancaire").click()
    page.get_by_role("heading", name="Paiement par carte").wait_for()
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_text("Votre situation est à jour.")).to_be_visible()
    first.refresh_from_db()
    assert first.status == InstalmentStatus.SETTLED
