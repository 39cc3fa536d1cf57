"""Item 12 of issue 12: production guard rails — seed_demo refuses DEBUG=false, missing
delivery settings are deploy checks, and the login survives a Redis outage."""

import logging
import socket

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError

from mutuelle.checks import delivery_settings_check, ics_is_valid
from mutuelle.models import Company
from tests.mutuelle.factories import PASSWORD, UserFactory
from tests.mutuelle.test_encryption import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEMO_SEED_ALLOWED = False  # what DEBUG=false sets (mutuelle/settings.py)
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo")
    assert not Company.objects.exists()


def test_seed_demo_is_refused_with_debug_false_in_the_environment(tmp_path):
    result = run_manage("seed_demo", VAR_DIR=str(tmp_path), **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "--allow-production" in result.stderr


def test_check_deploy_reports_missing_delivery_settings(tmp_path):
    env = {
        k: v
        for k, v in PRODUCTION_ENV.items()
        if k not in {"EMAIL_HOST", "SMS_GATEWAY_URL", "SEPA_CREDITOR_ICS", "SEAL_CERT_FILE"}
    }
    result = run_manage("check", "--deploy", VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    for check_id in ("mutuelle.E001", "mutuelle.E002", "mutuelle.E003", "mutuelle.E004"):
        assert check_id in result.stderr


def test_delivery_checks_pass_when_configured(settings):
    settings.SMS_BACKEND = "mutuelle.sms.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = "https://sms.example.fr/api"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.fr"
    settings.SEAL_CERT_FILE, settings.SEAL_KEY_FILE = "/secrets/cert.pem", "/secrets/key.pem"
    assert delivery_settings_check(None) == []
    settings.MUTUELLE = {**settings.MUTUELLE, "sepa_creditor_ics": "FR12ZZZ123456"}
    assert [e.id for e in delivery_settings_check(None)] == ["mutuelle.E003"]


@pytest.mark.parametrize(
    ("ics", "valid"),
    [("FR72ZZZ123456", True), ("DE98ZZZ09999999999", True), ("FR12ZZZ123456", False), ("", False)],
)
def test_ics_key(ics, valid):
    assert ics_is_valid(ics) is valid


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_login_works_while_redis_is_down(settings, client, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "mutuelle.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caches["default"]  # the settings signal reset the cache handler: build it now
    UserFactory(email="rh@example.fr")
    with caplog.at_level(logging.ERROR, logger="mutuelle.cache"):
        wrong = client.post("/compte/login/", {"login": "rh@example.fr", "password": "Faux-2026!"})
        right = client.post("/compte/login/", {"login": "rh@example.fr", "password": PASSWORD})
    assert wrong.status_code == 200
    assert right.status_code == 302
    assert "Redis injoignable" in caplog.text
