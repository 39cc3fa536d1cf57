"""The bank step asks the BIC only when schwifty's bank registry does not know the bank
of the IBAN: a known bank fills it (and is named « Banque : … »), on the server when
JavaScript is off and through the JSON endpoint the page's script calls."""

import html

import pytest

from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount
from mutuelle.validators import bank_of_iban, validate_iban
from tests.mutuelle.factories import PASSWORD

from .helpers import add_offers, in_progress_enrolment, url

pytestmark = pytest.mark.django_db

CREDIT_AGRICOLE = "FR7630006000011234567890189"
UNKNOWN_BANK = "FR7699999000011234567890152"  # valid keys, bank code 99999


def test_registry_derives_bic_and_name():
    known = bank_of_iban("fr76 3000 6000 0112 3456 7890 189")
    assert (known.bic, known.name) == ("AGRIFRPPXXX", "CREDIT AGRICOLE SA")
    validate_iban(UNKNOWN_BANK)
    assert bank_of_iban(UNKNOWN_BANK) is None
    assert bank_of_iban("FR7630006000011234567890188") is None  # wrong RIB key


@pytest.fixture
def at_bank(client):
    enrolment, user = in_progress_enrolment(wizard_step="bank")
    _base, option = add_offers(enrolment)
    enrolment.offer = option
    enrolment.save()
    client.login(username=user.username, password=PASSWORD)
    return enrolment


def _data(iban, bic="", **extra):
    return {
        "prestations-holder": "Paul Durand",
        "prestations-iban": iban,
        "prestations-bic": bic,
        "prelevement-same_as_benefits": "on",
        "prelevement-debit_frequency": "mensuelle",
        "prelevement-debit_day": "10",
        **extra,
    }


def test_known_bank_fills_the_bic_without_javascript(client, at_bank):
    page = client.get(url("wizard_bank")).content.decode()
    assert "data-bank-lookup=" in page and "js/bank_lookup.js" in page
    response = client.post(url("wizard_bank"), _data(CREDIT_AGRICOLE))
    assert response.url == url("wizard_recap")
    account = BankAccount.objects.get(enrolment=at_bank, purpose=BankAccountPurpose.BENEFITS)
    assert account.bic == "AGRIFRPPXXX"


def test_bank_named_when_the_form_comes_back(client, at_bank):
    page = client.post(
        url("wizard_bank"), _data(CREDIT_AGRICOLE, **{"prestations-holder": ""})
    ).content.decode()
    assert "Banque : CREDIT AGRICOLE SA" in page
    assert "Nous ne connaissons pas la banque" not in page


def test_bic_asked_only_for_an_unknown_bank(client, at_bank):
    page = client.post(url("wizard_bank"), _data(UNKNOWN_BANK)).content.decode()
    assert "Nous ne connaissons pas la banque de cet IBAN : indiquez son BIC" in page
    assert not BankAccount.objects.exists()
    response = client.post(url("wizard_bank"), _data(UNKNOWN_BANK, bic="BNPAFRPP"))
    assert response.url == url("wizard_recap")
    # A wrong IBAN is said once, on the IBAN, not as a missing BIC.
    # (checksum right, RIB key wrong: schwifty's national check)
    wrong = html.unescape(
        client.post(url("wizard_bank"), _data("FR0630006000011234567890188")).content.decode()
    )
    assert "La clé RIB contenue dans cet IBAN français est incorrecte." in wrong
    assert "Nous ne connaissons pas la banque" not in wrong


def test_lookup_endpoint(client, at_bank):
    lookup = url("wizard_bank_lookup")
    assert client.get(lookup, {"iban": CREDIT_AGRICOLE}).json() == {
        "bic": "AGRIFRPPXXX",
        "name": "CREDIT AGRICOLE SA",
    }
    assert client.get(lookup, {"iban": UNKNOWN_BANK}).json() == {"bic": "", "name": ""}
    assert client.get(lookup, {"iban": "n'importe quoi"}).json() == {"bic": "", "name": ""}
    client.logout()
    assert client.get(lookup, {"iban": CREDIT_AGRICOLE}).status_code == 302
