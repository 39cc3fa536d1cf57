"""Adding employees by the form in a real browser (axe-core on every page): the address
check against the Base Adresse Nationale (a fake service on 127.0.0.1), and « + Ajouter
un autre salarié » starting from the group and dates just typed."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser_support import login
from tests.enrolment.factories import make_nir
from tests.mutuelle.factories import PASSWORD, CorrespondentAccessFactory, InsuredGroupFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def company_groups(transactional_db):
    access = CorrespondentAccessFactory(user__email="rh@exemple.fr")
    company = access.company
    cadres = InsuredGroupFactory(contract__company=company, name="Cadres")
    others = InsuredGroupFactory(contract=cadres.contract, name="Non-cadres")
    return company, cadres, others


def _fill(page, *, first_name, n, number, street, code, city):
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label(re.compile(r"^Nom")).fill("Lefèvre")
    page.get_by_label("Date de naissance").fill("12/05/1990")
    page.get_by_label("Numéro de sécurité sociale").fill(make_nir(n, sex="2", year=90, month=5))
    page.get_by_label("Numéro", exact=True).fill(number)
    page.get_by_label("Libellé de la voie").fill(street)
    page.get_by_label("Code postal").fill(code)
    page.get_by_label("Ville").fill(city)
    page.get_by_label("Email").fill(f"salarie{n}@example.fr")
    page.get_by_label("Non").check()


def test_address_check_and_next_employee_keeps_group_and_dates(
    page, live_server, company_groups, address_api
):
    _company, _cadres, others = company_groups
    login(page, live_server, "rh@exemple.fr", PASSWORD)
    page.get_by_role("link", name="Ajouter des salariés").click()
    page.get_by_label("Formulaire").check()
    page.get_by_role("button", name="Poursuivre").click()
    page.get_by_role("heading", name="Informations personnelles").wait_for()
    _fill(
        page,
        first_name="Hélène",
        n=71,
        number="1",
        street="La Canebière",
        code="13001",
        city="Lyon",
    )
    page.get_by_label("Groupe d'assurés").select_option(str(others.pk))
    page.get_by_label("Date d'embauche").fill("15/04/2024")
    page.get_by_label("Date d'effet du contrat").fill("01/05/2024")
    page.get_by_role("button", name="Valider").click()

    # La Canebière is in Marseille: not verified, and said so.
    page.get_by_role("heading", name="Valider l'adresse du collaborateur").wait_for()
    expect(
        page.get_by_text("Cette adresse est introuvable dans la Base Adresse Nationale")
    ).to_be_visible()
    expect(page.get_by_label(re.compile("Adresse mise en forme, non vérifiée"))).not_to_be_checked()
    expect(page.get_by_text("Adresse vérifiée", exact=True)).to_have_count(0)
    page.get_by_label(re.compile("Adresse indiquée")).check()
    page.get_by_role("button", name="Confirmer cette adresse").click()
    page.get_by_role("heading", name="Vérifier les informations saisies").wait_for()

    # The next employee starts from the group and the dates just typed.
    page.get_by_role("link", name="+ Ajouter un autre salarié").click()
    page.get_by_role("heading", name="Informations personnelles").wait_for()
    expect(page.get_by_label("Groupe d'assurés")).to_have_value(str(others.pk))
    expect(page.get_by_label("Date d'embauche")).to_have_value("15/04/2024")
    expect(page.get_by_label("Date d'effet du contrat")).to_have_value("01/05/2024")
    expect(page.get_by_label("Prénom")).to_have_value("")
    _fill(
        page,
        first_name="Inès",
        n=72,
        number="8",
        street="boulevard de la Libération",
        code="13001",
        city="Marseille",
    )
    page.get_by_role("button", name="Valider").click()

    page.get_by_role("heading", name="Valider l'adresse du collaborateur").wait_for()
    expect(page.get_by_text("a été retrouvée dans la Base Adresse Nationale")).to_be_visible()
    verified = page.get_by_label(re.compile("Adresse vérifiée"))
    expect(verified).to_be_checked()
    expect(verified.locator("..")).to_contain_text("8 BOULEVARD DE LA LIBERATION")
    page.get_by_role("button", name="Confirmer cette adresse").click()
    page.get_by_role("heading", name="Vérifier les informations saisies").wait_for()
    expect(page.get_by_text("2 salariés saisis")).to_be_visible()

    # « Supprimer » asks first; « Ne pas supprimer » keeps the employee.
    page.get_by_role("link", name="Supprimer Hélène Lefèvre").click()
    page.get_by_role("heading", name="Supprimer Hélène Lefèvre de la saisie ?").wait_for()
    page.get_by_role("link", name="Ne pas supprimer").click()
    expect(page.get_by_text("2 salariés saisis")).to_be_visible()
    page.get_by_role("link", name="Supprimer Hélène Lefèvre").click()
    page.get_by_role("button", name="Supprimer ce salarié").click()
    page.get_by_role("heading", name="Vérifier les informations saisies").wait_for()
    expect(page.get_by_text(re.compile(r"^1 salarié saisi\."))).to_be_visible()
