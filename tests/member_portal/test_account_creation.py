"""« Créer mon espace » through the pages: the seed's fields, every error in one pass,
the same answer whether or not the data match, the 24-hour single-use activation
link, login with the member number, rate limits per IP and per member number."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from mutuelle.models import OutboxMessage, User
from tests.enrolment.factories import EnrolmentFactory

from .helpers import url

pytestmark = pytest.mark.django_db
PASSWORD = "Soleil-Levant-2026!"


@pytest.fixture
def member():
    return EnrolmentFactory(
        status=EnrolmentStatus.ACTIVE,
        imported_member_number="18004512",
        employee__user=None,
        employee__first_name="Élise",
        employee__last_name="Lefèvre-Dupré",
        employee__birth_date=dt.date(1979, 6, 14),
    )


def _form(**overrides):
    return {
        "member_number": "18004512",
        "last_name": "LEFEVRE DUPRE",
        "first_name": "elise",
        "birth_date": "14/06/1979",
        "email": "elise@perso.example.fr",
        "email_confirm": "elise@perso.example.fr",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_terms": "on",
        "paperless_mail": "on",
        **overrides,
    }


def _activation_path() -> str:
    message = OutboxMessage.objects.get(key__startswith="member-account-activation:")
    return re.search(r"http://[^/]+(/adherent/activer/[^/\s]+/)", message.body_text).group(1)


def test_login_page_links_to_account_creation(client):
    page = client.get(reverse("account_login")).content.decode()
    assert url("account_create") in page
    assert "Créer mon espace" in page


def test_form_shows_the_seed_fields_rule_and_real_legal_pages(client):
    page = client.get(url("account_create")).content.decode()
    for label in (
        "Numéro d&#x27;adhérent",
        "Date de naissance",
        "Confirmer l&#x27;adresse e-mail",
        "Confirmer le mot de passe",
        "au moins 8 caractères avec une minuscule, une majuscule, un chiffre",
        "service e-courriers",
        "Annuler",
        "Valider",
    ):
        assert label in page
    assert re.search(r'name="paperless_mail"[^>]* checked', page)  # e-courriers on by default
    assert client.get(url("terms")).status_code == 200
    assert "Conditions générales" in client.get(url("terms")).content.decode()
    assert "Éditeur du site" in client.get(url("legal_notice")).content.decode()


def test_every_error_in_one_pass_and_typed_input_kept(client, member):
    response = client.post(
        url("account_create"),
        _form(
            birth_date="1979-06-14",
            email_confirm="autre@perso.example.fr",
            password1="court",
            password2="court",
            accept_terms="",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "JJ/MM/AAAA" in page
    assert "ne sont pas identiques" in page
    assert "au moins 8 caractères" in page
    assert "Cochez cette case" in page
    assert page.count('<li><a href="#id_') >= 4  # the summary links to each field
    assert 'value="LEFEVRE DUPRE"' in page
    assert not OutboxMessage.objects.exists()


def test_same_answer_whether_or_not_the_data_match(client, member):
    unknown = client.post(url("account_create"), _form(member_number="18009999"))
    matched = client.post(url("account_create"), _form())
    assert unknown.url == matched.url == url("account_requested")
    page = client.get(matched.url).content.decode()
    assert "Si ces informations correspondent à un adhérent" in page
    assert OutboxMessage.objects.filter(key__startswith="member-account-activation:").count() == 1


def test_activation_then_login_with_member_number(client, member):
    client.post(url("account_create"), _form())
    path = _activation_path()
    # Opening the link changes nothing (mail scanners).
    assert client.get(path).status_code == 200
    assert not User.objects.exists()
    response = client.post(path)
    assert response.url == reverse("account_login")
    user = User.objects.get()
    assert user.username == "18004512"
    member.employee.refresh_from_db()
    assert member.employee.user == user and member.employee.paperless_mail is True
    response = client.post(reverse("account_login"), {"login": "18004512", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(url("home")).url == url("reimbursements")
    client.logout()
    # Used once: the page explains, and posting again creates nothing.
    again = client.post(path)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.content.decode()
    assert User.objects.count() == 1
    # Login with the e-mail works too.
    assert client.login(username="elise@perso.example.fr", password=PASSWORD)


def test_activation_link_expires_after_24_hours(client, member):
    client.post(url("account_create"), _form())
    path = _activation_path()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, seconds=5)):
        response = client.post(path)
    assert response.status_code == 410
    page = response.content.decode()
    assert "expiré" in page and url("account_create") in page
    assert not User.objects.exists()


def test_rate_limited_per_member_number_then_per_ip(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "member_account": "5/h/ip,2/h/key",
    }
    for _ in range(2):
        assert client.post(url("account_create"), _form(member_number="123")).status_code == 302
    assert client.post(url("account_create"), _form(member_number="123")).status_code == 429
    # Another member number from the same address: still allowed, until the IP limit
    # (refused attempts count for the address too).
    assert client.post(url("account_create"), _form(member_number="124")).status_code == 302
    assert client.post(url("account_create"), _form(member_number="125")).status_code == 302
    assert client.post(url("account_create"), _form()).status_code == 429
    assert not OutboxMessage.objects.exists()
