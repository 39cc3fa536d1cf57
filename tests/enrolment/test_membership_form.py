import io
import re

import pytest
from django.utils.html import strip_tags
from pypdf import PdfReader

from enrolment.signature import membership_form as mf
from enrolment.templatetags.enrolment_format import euros, phone_masked

from .factories import IBAN_BENEFITS, IBAN_CONTRIBUTIONS, EnrolmentFactory
from .signing import pdf_text

pytestmark = pytest.mark.django_db


def _ready():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    loaded = mf.load_enrolment(enrolment.pk)
    mf.ensure_mandate_reference(loaded)
    return loaded


def test_euros_french_format():
    assert euros("1234.5") == "1\u00a0234,50\u00a0€"
    assert euros(0) == "0,00\u00a0€"
    assert euros("1234567.891") == "1\u00a0234\u00a0567,89\u00a0€"
    assert phone_masked("+33612345678") == "06 •• •• •• 78"


def test_form_pdf_contains_all_the_data():
    enrolment = _ready()
    pdf = mf.membership_form_pdf(enrolment)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    employee = enrolment.employee
    company = employee.company
    for expected in [
        company.legal_name,
        mf.format_siret(company.siret),
        f"Complémentaire santé n° {enrolment.contract.number}",
        enrolment.group.name,
        f"Numéro d'adhérent {enrolment.member_number}",
        "Date d'effet de l'adhésion 01/03/2024",
        f"Monsieur {employee.last_name.upper()} Paul",
        "12/10/1985",
        "Marié(e)",
        "5 RUE DES ECOLES, 75005 PARIS",
        "06 12 34 56 78",
        "1 85 10 75",  # NIR formatted by groups
        "Conjoint (Marié(e)) Madame LAMBERT Claire 02/04/1987",
        "Enfant Madame SIMON Clémence 09/05/2022",
        "Rattaché au n° de l'adhérent",
        "Base + Option 1",
        "Cotisation mensuelle de l'adhérent 12,40 €",
        "Total mensuel à votre charge 53,10 €",
        "Mandat de prélèvement SEPA",
        "FR72ZZZ123456",
        enrolment.sepa_mandate_reference,
        "Mutuelle Avenir Santé à envoyer des instructions à votre banque",
        "dans les 8 semaines suivant la date de débit",
        "Mensuelle",
        "le 10 du mois",
        "Je certifie avoir répondu avec exactitude",
        "J'ai pris connaissance du document contractuel relatif à mon contrat",
    ]:
        assert expected in text, expected
    # Bank details are masked but for the last digits.
    assert IBAN_BENEFITS not in text.replace(" ", "")
    assert IBAN_CONTRIBUTIONS not in text.replace(" ", "")
    assert "0 189" in text and "2 606" in text
    # The shipped @font-face font is embedded, not a system font picked by chance.
    fonts = {
        str(font.get("/BaseFont"))
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("Portail-Sans" in name for name in fonts), fonts


def test_no_mandate_without_debit():
    enrolment = EnrolmentFactory(ready_to_sign=True, no_debit=True)
    loaded = mf.load_enrolment(enrolment.pk)
    assert not mf.debit_of(loaded).applies
    text = pdf_text(mf.membership_form_pdf(loaded))
    assert "Mandat de prélèvement SEPA" not in text
    assert "Aucune cotisation n'est prélevée sur votre compte" in text
    assert loaded.sepa_mandate_reference == ""


def test_mandate_reference_is_created_once_and_unique():
    first, second = _ready(), _ready()
    reference = first.sepa_mandate_reference
    assert reference and len(reference) <= 35
    assert mf.ensure_mandate_reference(first) == reference
    assert second.sepa_mandate_reference != reference


def test_french_punctuation_uses_no_break_spaces():
    body = mf.form_body_html(_ready())
    text = strip_tags(body.replace("&nbsp;", "\u00a0"))
    assert not re.search(r" [:;!?»]", text), re.findall(r".{20} [:;!?»]", text)
    assert "«" not in text or "«\u00a0" in text
    assert "\u00a0:" in text


def test_fingerprint_changes_with_the_data():
    enrolment = _ready()
    before = mf.fingerprint(mf.form_body_html(enrolment))
    assert before == mf.fingerprint(mf.form_body_html(mf.load_enrolment(enrolment.pk)))
    enrolment.employee.city = "LYON"
    enrolment.employee.save()
    assert before != mf.fingerprint(mf.form_body_html(mf.load_enrolment(enrolment.pk)))
