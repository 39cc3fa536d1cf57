"""Health endpoint, request ids in log lines and task headers, client address behind a
proxy, and what the delivery task says about a message."""

import io
import logging
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings

from mutuelle.celery import app as celery_app
from mutuelle.enums import Channel
from mutuelle.models import OutboxMessage
from mutuelle.notifications import notification_send
from mutuelle.request_context import (
    NONE,
    RequestContextFilter,
    UTCFormatter,
    _receive_request_id,
    _send_request_id,
    request_id_var,
)
from tests.ops.support import free_port

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_lines():
    """The root logger's lines as production writes them (settings.LOGGING's format)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(UTCFormatter(django_settings.LOGGING["formatters"]["operator"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(previous)


def test_health_checks_database_cache_storage_and_broker(client):
    response = client.get("/sante/?format=json")
    assert response.status_code == 200
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Storage(alias='default')": "OK",
        "CeleryBroker()": "OK",
    }


def test_health_fails_when_the_broker_is_unreachable(client):
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    try:
        response = client.get("/sante/?format=json")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 500
    assert response.json()["CeleryBroker()"] == "Unavailable: Broker Celery injoignable"
    assert response.json()["Database(alias='default')"] == "OK"


def test_every_response_carries_a_request_id_and_log_lines_repeat_it(client, log_lines):
    response = client.get("/page-qui-n-existe-pas/")
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (line,) = [line for line in log_lines() if "page-qui-n-existe-pas" in line]
    assert re.fullmatch(
        rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z WARNING django.request "
        rf"request_id={request_id} client=127\.0\.0\.1 Not Found: /page-qui-n-existe-pas/",
        line,
    )
    # Outside a request, the id is blank again.
    logging.getLogger("mutuelle").warning("hors requête")
    assert log_lines()[-1].endswith(f"request_id={NONE} client={NONE} hors requête")


def test_the_proxy_request_id_is_kept_when_it_is_safe_to_log(client):
    kept = client.get("/sante/", headers={"X-Request-ID": "lb-4f2a-9c01"})
    assert kept.headers["X-Request-ID"] == "lb-4f2a-9c01"
    replaced = client.get("/sante/", headers={"X-Request-ID": "x\r\nFaux: journal"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client_ip"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the hop our proxy appended
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "127.0.0.1"),  # fewer hops than proxies: not from ours
    ],
)
def test_client_address_comes_from_the_trusted_proxies(
    client, log_lines, settings, proxies, forwarded, client_ip
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    client.get("/absente/", headers={"X-Forwarded-For": forwarded})
    (line,) = [line for line in log_lines() if "/absente/" in line]
    assert f" client={client_ip} " in line


def test_one_environment_variable_sets_both_proxy_counts():
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == django_settings.TRUSTED_PROXY_COUNT
    source = (BASE_DIR / "mutuelle" / "settings.py").read_text()
    assert 'TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))' in source


def test_a_queued_task_carries_the_request_id_to_the_worker():
    headers = {}
    token = request_id_var.set("req-12345678")
    try:
        _send_request_id(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "req-12345678"}

    # The worker side: Celery exposes the header on task.request during the task.
    class Task:
        class request:
            request_id = "req-12345678"

    from mutuelle.request_context import _forget_request_id

    _receive_request_id(task=Task)
    assert request_id_var.get() == "req-12345678"
    _forget_request_id(task=Task)
    assert request_id_var.get() == NONE


def test_delivery_logs_channel_and_message_id_never_recipient_or_content(
    django_capture_on_commit_callbacks, log_lines
):
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(
            key="log-check",
            channel=Channel.SMS,
            to="+33612345678",
            template="signature_code",
            context={"code": "246810", "minutes": 10},
        )
    message = OutboxMessage.objects.get(pk=message.pk)
    lines = [line for line in log_lines() if " mutuelle.tasks " in line]
    assert lines and lines[-1].endswith(f"Outbox message {message.pk} sent by sms")
    everything = "\n".join(log_lines())
    assert "+33612345678" not in everything and "246810" not in everything


def test_compose_migrates_once_before_the_processes_and_checks_their_health():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert "migrate" not in str(services[name]["command"])
    assert "/sante/" in " ".join(services["web"]["healthcheck"]["test"])
    assert "ping" in " ".join(services["worker"]["healthcheck"]["test"])
