import re

import pytest

from tests.browser_support import login
from tests.mutuelle.factories import PASSWORD, CompanyFactory, CorrespondentAccessFactory

pytestmark = pytest.mark.browser
LOGIN_LABEL = re.compile(r"^Adresse e-mail ou identifiant")


@pytest.fixture
def correspondent_of_two(transactional_db):
    first = CompanyFactory(legal_name="Boulangerie Martin SARL")
    second = CompanyFactory(legal_name="Atelier Dupont SAS")
    access = CorrespondentAccessFactory(
        company=first, user__email="rh@exemple.fr", user__username="rh-martin"
    )
    CorrespondentAccessFactory(company=second, user=access.user)
    return access.user, first, second


def test_correspondent_of_two_companies_picks_one_and_sees_its_home(
    page, live_server, correspondent_of_two
):
    _user, _first, second = correspondent_of_two
    login(page, live_server, "rh@exemple.fr", PASSWORD)

    page.get_by_role("heading", name="Mes entreprises").wait_for()
    # Greeted by name, never by the technical identifier « rh-martin ».
    assert "Bonjour Camille Martin." in page.get_by_role("main").inner_text()
    assert "rh-martin" not in page.content()
    page.get_by_role("link", name="Atelier Dupont SAS").click()

    page.wait_for_url(f"{live_server.url}/entreprise/{second.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour ! Content de vous revoir."
    nav = page.get_by_role("navigation", name="Menu principal de l'espace entreprise")
    assert "Atelier Dupont SAS" in nav.inner_text()
    page.get_by_role("link", name="Mon entreprise").click()
    page.get_by_role("heading", name="Mon entreprise").wait_for()
    assert second.siret in page.content()


def test_login_with_identifier_and_wrong_password_shows_french_error(
    page, live_server, correspondent_of_two
):
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_label(LOGIN_LABEL).fill("rh-martin")
    page.get_by_label(re.compile(r"^Mot de passe")).fill("Mauvais-1234!")
    page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "L'adresse e-mail, l'identifiant ou le mot de passe est incorrect." in (
        alert.inner_text()
    )
    # What was typed is kept.
    assert page.get_by_label(LOGIN_LABEL).input_value() == "rh-martin"
    login(page, live_server, "rh-martin", PASSWORD)
    page.get_by_role("heading", name="Mes entreprises").wait_for()
