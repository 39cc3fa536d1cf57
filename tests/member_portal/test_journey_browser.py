"""The employee's journey in a real browser on a phone-sized screen: the invitation link
from the development outbox, activation, every wizard step, the recap."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment.enums import BankAccountPurpose, EnrolmentStatus, PhoneSource
from enrolment.models import BankAccount, Enrolment
from enrolment.services.invitation import enrolment_invite
from mutuelle.models import OutboxMessage
from tests.browser_support import login
from tests.enrolment.factories import EnrolmentFactory, make_nir
from tests.mutuelle.factories import CorrespondentAccessFactory, OfferFactory, UserFactory

PHONE = {"width": 360, "height": 740}
PASSWORD = "Soleil-Levant-2026!"


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        f"La page {page.url} déborde horizontalement sur un écran de téléphone."
    )


@pytest.fixture
def invited_enrolment(transactional_db):
    enrolment = EnrolmentFactory(
        employee__email="paul.pro@entreprise.example.fr",
        employee__first_name="Paul",
        employee__last_name="Durand",
        employee__nir=make_nir(42),
        effective_date=dt.date(2024, 3, 1),
    )
    OfferFactory(group=enrolment.group, level="base", member_monthly_cost=Decimal("0.00"))
    OfferFactory(
        group=enrolment.group,
        level="base_opt1",
        member_monthly_cost=Decimal("12.40"),
        display_order=1,
    )
    # live_server tests commit for real: the invitation is queued and sent after commit.
    enrolment_invite(enrolment=enrolment)
    return enrolment


def test_employee_journey_on_a_phone(page, live_server, invited_enrolment):
    page.set_viewport_size(PHONE)
    message = OutboxMessage.objects.get(key=f"invitation:{invited_enrolment.pk}")
    link = next(line for line in message.body_text.splitlines() if "/invitation/" in line)
    path = link.split("8000", 1)[1].strip()

    # Activation: « Espace personnel ».
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Espace personnel")).to_be_visible()
    expect(page.get_by_text("paul.pro@entreprise.example.fr")).to_be_visible()
    _no_horizontal_scroll(page)
    page.get_by_label("Votre date de naissance").fill("12/10/1985")
    page.get_by_label("Non").check()
    page.get_by_label("Saisissez votre mot de passe").fill(PASSWORD)
    page.get_by_label("Confirmez votre mot de passe").fill("Autre-Chose-2026!")
    page.get_by_role("button", name="Continuer").click()
    expect(
        page.get_by_text("Les deux mots de passe ne sont pas identiques.", exact=True)
    ).to_be_visible()
    # The link alone does not open the account: a wrong birth date is refused.
    page.get_by_label("Votre date de naissance").fill("21/10/1985")
    page.get_by_label("Saisissez votre mot de passe").fill(PASSWORD)
    page.get_by_label("Confirmez votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    # Said in the error summary and next to the field.
    expect(page.get_by_text("Il vous reste 2 essais.").first).to_be_visible()
    expect(page.get_by_label("Votre date de naissance")).to_have_value("21/10/1985")
    page.get_by_label("Votre date de naissance").fill("12/10/1985")
    page.get_by_label("Saisissez votre mot de passe").fill(PASSWORD)
    page.get_by_label("Confirmez votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()

    # Welcome.
    expect(
        page.get_by_role("heading", name="Bienvenue dans votre espace adhérent !")
    ).to_be_visible()
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Commencer").click()

    # Profile, prefilled; the soft check lists the missing useful fields.
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    expect(page.get_by_label("Libellé de la voie")).to_have_value("RUE DES ECOLES")
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text("Les champs suivants ont été mal renseignés :")).to_be_visible()
    expect(page.get_by_text("Champ « téléphone » non renseigné")).to_be_visible()
    page.get_by_label("Situation familiale").select_option("marie")
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    page.get_by_label("Organisme de sécurité sociale").fill("01 751 0000")
    page.get_by_role("button", name="Suivant").click()

    # The new mobile is confirmed on the profile step by a code sent to it.
    expect(page.get_by_role("heading", name="Confirmer mon mobile")).to_be_visible()
    expect(page.get_by_text("06 •• •• •• 78")).to_be_visible()
    _no_horizontal_scroll(page)
    sms = OutboxMessage.objects.filter(channel="sms").latest("id")
    assert sms.recipient == "+33612345678"
    page.get_by_label("Code reçu par SMS").fill(re.search(r"\b(\d{6})\b", sms.body_text).group(1))
    page.get_by_role("button", name="Valider le code").click()

    # Beneficiaries: a child attached to the member's NIR.
    expect(page.get_by_role("heading", name="Mes bénéficiaires")).to_be_visible()
    page.get_by_role("link", name="Ajouter un bénéficiaire").click()
    page.get_by_label("Enfant", exact=True).check()
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom").fill("Lou")
    page.get_by_label("Date de naissance").fill("2015-06-01")
    page.get_by_label("L'enfant est rattaché à mon numéro de sécurité sociale").check()
    page.get_by_label("Non").check()
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Lou Durand")).to_be_visible()
    page.get_by_role("button", name="Suivant").click()

    # Interrupted: logging in again (any device) resumes at the step reached.
    expect(page.get_by_role("heading", name="Mes garanties")).to_be_visible()
    # The member's name opens the personal menu (« Se déconnecter » is in it).
    page.get_by_text("Paul D.").click()
    page.get_by_role("button", name="Se déconnecter").click()
    login(page, live_server, "paul.pro@entreprise.example.fr", PASSWORD)

    # Offers: cards with the monthly cost in French format.
    expect(page.get_by_role("heading", name="Mes garanties")).to_be_visible()
    expect(page.get_by_text("01/03/2024")).to_be_visible()
    _no_horizontal_scroll(page)
    page.get_by_text("Base + Option 1").click()
    expect(page.get_by_text(re.compile(r"27,60\s€ par mois"))).to_be_visible()
    page.get_by_role("button", name="Suivant").click()

    # Bank details: an invalid RIB key is refused next to the field and kept.
    expect(page.get_by_role("heading", name="Mes coordonnées bancaires")).to_be_visible()
    benefits = page.get_by_role("group", name="Pour bénéficier du remboursement de mes prestations")
    benefits.get_by_label("IBAN").fill("FR06 3000 6000 0112 3456 7890 188")
    benefits.get_by_label("BIC").fill("AGRIFRPP")
    page.get_by_label("Mensuelle").check()
    page.get_by_label("Jour de prélèvement").select_option("10")
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Suivant").click()
    expect(
        page.get_by_text("La clé RIB contenue dans cet IBAN français est incorrecte.", exact=True)
    ).to_be_visible()
    benefits = page.get_by_role("group", name="Pour bénéficier du remboursement de mes prestations")
    benefits.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Suivant").click()

    # Recap, « Modifier » and back.
    expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
    expect(page.get_by_text("FR76 •••• •••• •••• 0189")).to_be_visible()
    expect(page.get_by_text("RIB identique pour les prélèvements.")).to_be_visible()
    _no_horizontal_scroll(page)
    page.get_by_role("link", name="Modifier mon profil").click()
    page.get_by_label("Commune").fill("PARIS 5E")
    page.get_by_role("button", name="Enregistrer et revenir au récapitulatif").click()
    expect(page.get_by_role("heading", name="Récapitulatif")).to_be_visible()
    expect(page.get_by_text("75005 PARIS 5E")).to_be_visible()
    page.get_by_role("button", name="Valider").click()

    enrolment = Enrolment.objects.get(pk=invited_enrolment.pk)
    assert enrolment.status == EnrolmentStatus.IN_PROGRESS
    assert enrolment.wizard_step == "signature"
    assert enrolment.sepa_mandate_reference
    assert BankAccount.objects.filter(
        enrolment=enrolment, purpose=BankAccountPurpose.CONTRIBUTIONS
    ).exists()
    signature = reverse("member_portal:signature_entry")
    page.wait_for_url(re.compile(re.escape(signature)))
    employee = enrolment.employee
    employee.refresh_from_db()
    assert employee.phone == "+33612345678" and employee.phone_source == PhoneSource.PROFILE


def test_three_wrong_birth_dates_lock_the_link_and_say_whom_to_call(
    page, live_server, invited_enrolment
):
    page.set_viewport_size(PHONE)
    CorrespondentAccessFactory(
        company=invited_enrolment.employee.company,
        user=UserFactory(first_name="Claire", last_name="Martin", email="claire@rh.example.fr"),
    )
    message = OutboxMessage.objects.get(key=f"invitation:{invited_enrolment.pk}")
    link = next(line for line in message.body_text.splitlines() if "/invitation/" in line)
    page.goto(live_server.url + link.split("8000", 1)[1].strip())
    for day in ("01/01/1990", "02/01/1990", "03/01/1990"):
        page.get_by_label("Votre date de naissance").fill(day)
        page.get_by_label("Non").check()
        page.get_by_label("Saisissez votre mot de passe").fill(PASSWORD)
        page.get_by_label("Confirmez votre mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Ce lien est bloqué")).to_be_visible()
    expect(page.get_by_text("Claire Martin")).to_be_visible()
    expect(page.get_by_role("link", name="claire@rh.example.fr")).to_be_visible()
    _no_horizontal_scroll(page)
