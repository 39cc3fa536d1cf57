"""The bank step in a real browser (axe-core on every page): typing a French IBAN names
its bank and fills the BIC from the bank registry; an unknown bank leaves the BIC field
to the member."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount
from tests.browser_support import login
from tests.mutuelle.factories import PASSWORD

from .helpers import add_offers, in_progress_enrolment


@pytest.fixture
def at_bank(transactional_db):
    enrolment, user = in_progress_enrolment(wizard_step="bank")
    _base, option = add_offers(enrolment)
    enrolment.offer = option
    enrolment.save()
    return enrolment, user


def test_iban_typed_names_the_bank_and_fills_the_bic(page, live_server, at_bank):
    enrolment, user = at_bank
    login(page, live_server, user.email, PASSWORD)
    page.goto(live_server.url + reverse("member_portal:wizard_bank"))
    page.get_by_role("heading", name="Mes coordonnées bancaires").wait_for()
    benefits = page.get_by_role("group", name="Pour bénéficier du remboursement de mes prestations")
    benefits.get_by_label("IBAN").fill("FR76 9999 9000 0112 3456 7890 152")
    bic = benefits.get_by_label("BIC")
    expect(bic).to_be_visible()
    expect(bic).to_have_value("")
    benefits.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    expect(benefits.get_by_text("Banque : CREDIT AGRICOLE SA")).to_be_visible()
    expect(bic).to_be_hidden()
    expect(bic).to_have_value("AGRIFRPPXXX")
    page.get_by_label("Mensuelle").check()
    page.get_by_label("Jour de prélèvement").select_option("10")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("heading", name="Récapitulatif").wait_for()
    account = BankAccount.objects.get(enrolment=enrolment, purpose=BankAccountPurpose.BENEFITS)
    assert account.bic == "AGRIFRPPXXX"
