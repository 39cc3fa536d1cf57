import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mutuelle.accounts import landing_url
from mutuelle.models import OutboxMessage
from mutuelle.passwords import CharacterClassesValidator
from tests.enrolment.factories import EmployeeFactory
from tests.mutuelle.factories import (
    PASSWORD,
    CompanyFactory,
    CorrespondentAccessFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LOGIN_URL = "/compte/login/"


def post_login(client, login, password=PASSWORD):
    return client.post(LOGIN_URL, {"login": login, "password": password})


class TestPasswordRule:
    @pytest.mark.parametrize(
        ("password", "missing"),
        [
            ("Court1!", "au moins 8 caractères"),
            ("MOTDEPASSE-2026", "une minuscule"),
            ("motdepasse-2026", "une majuscule"),
            ("Motdepasse-deux", "un chiffre"),
            ("Motdepasse2026", "un caractère spécial"),
        ],
    )
    def test_each_missing_class_is_named_in_french(self, password, missing):
        with pytest.raises(ValidationError) as excinfo:
            CharacterClassesValidator().validate(password)
        assert missing in excinfo.value.messages[0]

    def test_a_compliant_password_passes(self):
        CharacterClassesValidator().validate("Motdepasse-2026!")

    def test_django_validators_apply_too(self):
        from django.contrib.auth.password_validation import validate_password

        user = UserFactory.build(first_name="Jeanne", email="jeanne.dupont@example.fr")
        with pytest.raises(ValidationError) as excinfo:
            validate_password("Jeanne.dupont@example.fr1", user=user)
        assert any("trop semblable" in m for m in excinfo.value.messages)


class TestLoginAndLanding:
    def test_login_page_is_french_and_accessible(self, client):
        html = client.get(LOGIN_URL).content.decode()
        assert '<html lang="fr">' in html
        assert '<label for="id_login">Adresse e-mail ou identifiant' in html
        assert '<label for="id_password">Mot de passe' in html
        assert "Mot de passe oublié ?" in html

    def test_wrong_password_is_explained_next_to_the_form_and_keeps_the_login(self, client):
        UserFactory(email="camille@example.fr")
        response = post_login(client, "camille@example.fr", "Mauvais-2026!")
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        assert "le mot de passe est incorrect" in html
        assert 'value="camille@example.fr"' in html

    def test_correspondent_of_one_company_lands_on_its_home(self, client):
        access = CorrespondentAccessFactory(user__email="rh@example.fr")
        response = post_login(client, "rh@example.fr")
        assert response.status_code == 302
        assert response.url == reverse("employer_portal:home", args=[access.company.pk])

    def test_correspondent_can_log_in_with_the_identifier(self, client):
        access = CorrespondentAccessFactory(user__username="rh-boulangerie")
        response = post_login(client, "rh-boulangerie")
        assert response.url == reverse("employer_portal:home", args=[access.company.pk])

    def test_correspondent_of_two_companies_lands_on_mes_entreprises(self, client):
        access = CorrespondentAccessFactory()
        CorrespondentAccessFactory(user=access.user)
        response = post_login(client, access.user.email)
        assert response.url == reverse("employer_portal:companies")
        page = client.get(response.url).content.decode()
        assert "<h1>Mes entreprises</h1>" in page
        assert page.count('class="card"') == 2

    def test_member_lands_in_the_member_area(self, client):
        user = UserFactory()
        EmployeeFactory(user=user)
        response = post_login(client, user.email)
        assert response.url == reverse("member_portal:home")

    def test_back_office_lands_in_the_admin(self, client):
        user = UserFactory(staff=True)
        response = post_login(client, user.email)
        assert response.url == reverse("admin:index")
        assert landing_url(user) == "/gestion/"

    def test_logout_is_a_post(self, client):
        user = UserFactory()
        client.force_login(user)
        assert "Voulez-vous vraiment vous déconnecter" in client.get("/compte/logout/").text
        client.post("/compte/logout/")
        assert "_auth_user_id" not in client.session


class TestLockout:
    def test_five_failures_lock_the_account_with_a_french_message(self, client):
        UserFactory(email="cible@example.fr")
        for _ in range(5):
            post_login(client, "cible@example.fr", "Mauvais-2026!")
        # Even the right password is refused while the lock lasts.
        response = post_login(client, "cible@example.fr")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert "Trop de tentatives de connexion échouées" in response.text

    def test_the_lock_lifts_after_five_minutes(self, client):
        UserFactory(email="cible@example.fr")
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(5):
                post_login(client, "cible@example.fr", "Mauvais-2026!")
            traveller.shift(5 * 60 + 1)
            response = post_login(client, "cible@example.fr")
        assert response.status_code == 302

    def test_many_requests_from_one_address_get_the_french_429_page(self, client, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
        for _ in range(3):
            post_login(client, "inconnu@example.fr", "Mauvais-2026!")
        response = post_login(client, "inconnu@example.fr", "Mauvais-2026!")
        assert response.status_code == 429
        assert "Trop de tentatives" in response.text


class TestPasswordReset:
    def request_link(self, client, email):
        response = client.post("/compte/password/reset/", {"email": email})
        assert response.status_code == 302
        message = OutboxMessage.objects.get(recipient=email)
        return re.search(r"http://\S+", message.body_text).group(0), message

    def test_reset_link_goes_through_the_outbox_in_french(self, client, settings):
        settings.SITE_URL = "http://testserver"
        UserFactory(email="camille@example.fr")
        url, message = self.request_link(client, "camille@example.fr")
        assert message.subject.endswith("réinitialisation de votre mot de passe")
        assert "valable 5 minutes" in message.body_text
        assert "/compte/password/reset/key/" in url

    def test_unknown_address_sends_nothing_but_says_the_same(self, client):
        response = client.post("/compte/password/reset/", {"email": "personne@example.fr"})
        assert response.status_code == 302
        assert not OutboxMessage.objects.exists()

    def test_link_sets_a_new_password_that_follows_the_rule(self, client):
        user = UserFactory(email="camille@example.fr")
        url, _ = self.request_link(client, "camille@example.fr")
        form_url = client.get(url).url  # allauth moves the key into the session
        weak = client.post(form_url, {"password1": "faible", "password2": "faible"})
        assert "une majuscule" in weak.text
        assert 'aria-invalid="true"' in weak.text
        done = client.post(form_url, {"password1": "Nouveau-2026!", "password2": "Nouveau-2026!"})
        assert done.status_code == 302
        user.refresh_from_db()
        assert user.check_password("Nouveau-2026!")

    def test_link_expires_after_five_minutes(self, client):
        UserFactory(email="camille@example.fr")
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            url, _ = self.request_link(client, "camille@example.fr")
            traveller.shift(5 * 60 + 5)
            response = client.get(url, follow=True)
        assert "Lien invalide ou expiré" in response.text


class TestPasswordChange:
    def test_change_requires_the_current_password_and_the_rule(self, client):
        user = UserFactory()
        client.force_login(user)
        page = client.get("/compte/password/change/")
        assert "Changer de mot de passe" in page.text
        bad = client.post(
            "/compte/password/change/",
            {"oldpassword": "Faux-2026!", "password1": "abc", "password2": "abc"},
        )
        assert "id_oldpassword_error" in bad.text
        ok = client.post(
            "/compte/password/change/",
            {"oldpassword": PASSWORD, "password1": "Nouveau-2026!", "password2": "Nouveau-2026!"},
        )
        assert ok.status_code == 302
        user.refresh_from_db()
        assert user.check_password("Nouveau-2026!")


class TestTenantIsolation:
    @pytest.mark.parametrize("url_name", ["employer_portal:home", "employer_portal:company"])
    def test_correspondent_of_a_gets_404_on_company_b(self, client, url_name):
        mine = CorrespondentAccessFactory()
        other = CompanyFactory()
        client.force_login(mine.user)
        assert client.get(reverse(url_name, args=[mine.company.pk])).status_code == 200
        assert client.get(reverse(url_name, args=[other.pk])).status_code == 404

    def test_anonymous_is_sent_to_login(self, client):
        company = CompanyFactory()
        response = client.get(reverse("employer_portal:home", args=[company.pk]))
        assert response.status_code == 302
        assert response.url.startswith(LOGIN_URL)


class TestBackOfficeGroup:
    def test_gestionnaire_group_exists(self):
        group = Group.objects.get(name="Gestionnaire")
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert {"view_company", "change_enrolment", "view_requestevent"} <= codenames
        assert "delete_requestevent" not in codenames
