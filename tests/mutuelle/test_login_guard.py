"""Item 5 of issue 12: login limits behind a proxy, counted per account and address,
and the holder warned of repeated failures from elsewhere."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings

from mutuelle.models import OutboxMessage
from tests.mutuelle.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN_URL = "/compte/login/"
PROXY = "10.0.0.2"


def post_login(client, login, password, *, address, via_proxy=True):
    if via_proxy:
        return client.post(
            LOGIN_URL,
            {"login": login, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=address,
        )
    return client.post(LOGIN_URL, {"login": login, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_one_noisy_client_behind_the_proxy_does_not_lock_out_the_others(behind_one_proxy, client):
    UserFactory(email="rh@example.fr")
    for n in range(20):
        post_login(client, f"inconnu{n}@example.fr", "Mauvais-2026!", address="203.0.113.5")
    refused = post_login(client, "inconnu@example.fr", "Mauvais-2026!", address="203.0.113.5")
    assert "Trop de tentatives" in refused.text
    response = post_login(client, "rh@example.fr", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302


def test_wrong_passwords_from_one_address_do_not_lock_the_holder_out(behind_one_proxy, client):
    UserFactory(email="rh@example.fr")
    for _ in range(6):
        post_login(client, "rh@example.fr", "Mauvais-2026!", address="203.0.113.5")
    # The attacker's address is locked, even with the right password…
    attacker = post_login(client, "rh@example.fr", PASSWORD, address="203.0.113.5")
    assert attacker.status_code == 200
    assert "Trop de tentatives" in attacker.text
    # …the holder's is not.
    holder = post_login(client, "rh@example.fr", PASSWORD, address="198.51.100.7")
    assert holder.status_code == 302


def test_the_holder_is_warned_once_of_repeated_failures_from_elsewhere(client):
    UserFactory(email="rh@example.fr")
    for _ in range(4):
        post_login(client, "rh@example.fr", "Mauvais-2026!", address="203.0.113.5", via_proxy=False)
    assert not OutboxMessage.objects.filter(key__startswith="account:login-failures:").exists()
    for address in ("203.0.113.6", "203.0.113.7"):
        post_login(client, "rh@example.fr", "Mauvais-2026!", address=address, via_proxy=False)
    warning = OutboxMessage.objects.get(key__startswith="account:login-failures:")
    assert warning.recipient == "rh@example.fr"
    assert "5 tentatives de connexion" in warning.body_text
    assert "203.0.113.6" in warning.body_text
    assert "&#x27;" not in warning.body_text


def test_failures_from_an_address_the_holder_used_warn_nobody(client):
    UserFactory(email="rh@example.fr")
    post_login(client, "rh@example.fr", PASSWORD, address="198.51.100.7", via_proxy=False)
    client.post("/compte/logout/")
    for _ in range(5):
        post_login(
            client, "rh@example.fr", "Mauvais-2026!", address="198.51.100.7", via_proxy=False
        )
    assert not OutboxMessage.objects.filter(key__startswith="account:login-failures:").exists()


def test_proxy_count_is_configured_for_docker_compose():
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == django_settings.TRUSTED_PROXY_COUNT
    compose = yaml.safe_load(
        Path(django_settings.BASE_DIR, "docker-compose.yml").read_text(encoding="utf-8")
    )
    assert compose["x-app"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
