import re

import pytest

from tests.browser_support import login
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Nouveau-Secret-2026!"


def test_forgotten_password_through_the_development_outbox(page, live_server, transactional_db):
    """Every page of the journey (login, reset, outbox, new password) is axe-checked."""
    UserFactory(email="camille@exemple.fr")
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()

    page.get_by_label(re.compile(r"^Adresse e-mail")).fill("camille@exemple.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_role("heading", name="Vérifiez votre messagerie").wait_for()

    page.goto(f"{live_server.url}/dev/outbox/")
    page.get_by_role("link", name=re.compile("réinitialisation de votre mot de passe")).click()
    page.get_by_role("heading", name="E-mail à camille@exemple.fr").wait_for()
    page.get_by_role("link", name=re.compile(r"compte.password.reset.key")).click()

    page.get_by_role("heading", name="Choisissez un nouveau mot de passe").wait_for()
    page.get_by_label(re.compile(r"^Nouveau mot de passe\s*\*?$")).fill("faible")
    page.get_by_label(re.compile(r"^Nouveau mot de passe \(confirmation\)")).fill("faible")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("alert").wait_for()
    assert "une majuscule" in page.get_by_role("main").inner_text()

    page.get_by_label(re.compile(r"^Nouveau mot de passe\s*\*?$")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^Nouveau mot de passe \(confirmation\)")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("heading", name="Mot de passe modifié").wait_for()

    login(page, live_server, "camille@exemple.fr", NEW_PASSWORD)
    assert "/compte/login/" not in page.url
