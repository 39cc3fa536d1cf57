"""In a real browser: a member enrolled outside the portal creates their space (seed
004), activates it from the development outbox, logs in with their member number and
goes through the space (menu, « Mon contrat », the name menu)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrolment.enums import EnrolmentStatus
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import OfferFactory

pytestmark = pytest.mark.browser
PASSWORD = "Soleil-Levant-2026!"


@pytest.fixture
def member(transactional_db):
    offer = OfferFactory(level="base_opt1", member_monthly_cost="18.90")
    return EnrolmentFactory(
        group=offer.group,
        offer=offer,
        status=EnrolmentStatus.ACTIVE,
        imported_member_number="18004512",
        employee__user=None,
        employee__civility="MME",
        employee__first_name="Élise",
        employee__last_name="Lefèvre-Dupré",
        employee__birth_date=dt.date(1979, 6, 14),
    )


def test_member_creates_activates_and_uses_their_space(page, live_server, member, settings):
    settings.DEV_OUTBOX_ENABLED = True
    settings.SITE_URL = live_server.url  # the e-mailed links point at this server
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("link", name="Créer mon espace").click()
    page.get_by_role("heading", name="Créer mon espace").wait_for()

    # Every error in one pass, next to its field, what was typed kept.
    page.get_by_label("Numéro d'adhérent").fill("18004512")
    page.get_by_label(re.compile(r"^Nom\W*$")).fill("lefevre dupre")
    page.get_by_label("Prénom").fill("ELISE")
    page.get_by_label("Date de naissance").fill("1979-06-14")
    page.get_by_label(re.compile(r"^Adresse e-mail\W*$")).fill("elise@perso.example.fr")
    page.get_by_label("Confirmer l'adresse e-mail").fill("elise@perso.example.fr")
    page.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(PASSWORD)
    expect(page.get_by_label("Je m'abonne au service e-courriers")).to_be_checked()
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("alert")).to_contain_text("JJ/MM/AAAA")
    expect(page.get_by_role("alert")).to_contain_text("Cochez cette case")
    expect(page.get_by_label("Prénom")).to_have_value("ELISE")

    page.get_by_label("Date de naissance").fill("14/06/1979")
    page.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(PASSWORD)
    page.get_by_label(re.compile("^En cochant cette case")).check()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Demande d'accès enregistrée").wait_for()
    expect(page.get_by_text("Si ces informations correspondent à un adhérent")).to_be_visible()

    # The activation link, from the development outbox.
    page.goto(f"{live_server.url}/dev/outbox/")
    page.get_by_role("link", name=re.compile(r"adherent.activer")).first.click()
    page.get_by_role("heading", name="Activer mon espace adhérent").wait_for()
    page.get_by_role("button", name="Activer mon espace").click()

    # Log in with the member number.
    page.get_by_role("heading", name="Connexion à votre espace").wait_for()
    expect(page.get_by_text("Votre espace adhérent est activé")).to_be_visible()
    page.get_by_label(re.compile(r"^Adresse e-mail ou identifiant")).fill("18004512")
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes remboursements", exact=True)).to_be_visible()

    menu = page.get_by_role("navigation", name="Menu de l'espace adhérent")
    menu.get_by_role("link", name="Mon contrat").click()
    expect(page.get_by_role("heading", name="Mon contrat", exact=True)).to_be_visible()
    expect(page.get_by_text("18004512")).to_be_visible()
    expect(page.get_by_text("Base + Option 1").first).to_be_visible()
    # The employee's word for the status, not the back office's « Mis en gestion ».
    expect(page.get_by_text("Adhésion validée").first).to_be_visible()

    # The member's name opens « Mes informations personnelles », « Mes paramètres »…
    page.get_by_text("Élise L.").click()
    page.get_by_role("link", name="Mes paramètres").click()
    page.get_by_role("heading", name="Mes paramètres").wait_for()
    expect(page.get_by_text("Espace adhérent créé")).to_be_visible()
    page.get_by_text("Élise L.").click()
    page.get_by_role("link", name="Mes informations personnelles").click()
    page.get_by_role("heading", name="Mes informations personnelles").wait_for()
    page.get_by_label(re.compile("^E-courriers")).uncheck()
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    expect(page.get_by_text("Vos préférences de communication sont enregistrées")).to_be_visible()
