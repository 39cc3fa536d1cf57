import asyncio
import logging
import os
import runpy
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from mutuelle.celery import app as celery_app
from tests.browser_support import audit_every_document, watch_csp_violations
from tests.mutuelle.fake_address_api import FakeAddressApi
from tests.ops.support import free_port

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
# by live_server tests from that thread are safe (one thread, one connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _browser_required() -> bool:
    """CI, and ``make test`` (which installs Chromium first), never skip the journeys."""
    return _in_ci() or os.environ.get("REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}


S3_BUCKET = "mutuelle-tests"
S3_REGION = "eu-west-3"


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 on 127.0.0.1 (a free port), with one bucket for the whole run."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=S3_BUCKET, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    yield endpoint
    server.stop()


@pytest.fixture
def s3_private_storage(s3_server, settings, monkeypatch, tmp_path):
    """Private files in the bucket, under a prefix of this test's own, configured by the
    environment variables production uses (settings.py run with them)."""
    environment = {
        "S3_BUCKET": S3_BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_REGION": S3_REGION,
        "S3_PREFIX": f"tests/{uuid.uuid4().hex}",
        "VAR_DIR": str(tmp_path / "var"),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    configured = runpy.run_path(str(Path(settings.BASE_DIR) / "mutuelle" / "settings.py"))
    settings.STORAGES = {**settings.STORAGES, "default": configured["STORAGES"]["default"]}
    return environment


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Once a browser test has run on this worker, Playwright's sync API leaves its
    event loop marked as running in the test thread for the rest of the session. Code
    calling asyncio.run or asgiref's AsyncToSync (pyHanko, the health checks) would then
    fail in any later test, and Django's connections (kept per async context) would differ
    between a test's set-up and its body. Other tests run, from set-up to teardown, with
    no loop marked, as in production."""
    if item.get_closest_marker("browser"):
        yield
        return
    loop = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(loop)


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path, monkeypatch, request):
    """Each test: empty local cache (rate limits), private files in a temp folder, eager tasks."""
    # A per-process cache: xdist workers must not share (or clear) each other's
    # rate-limit counters, whether the configured cache is a file or Redis.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    cache.clear()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": "/fichiers-prives/"},
        },
    }
    if os.environ.get("TEST_PRIVATE_STORAGE") == "s3":
        # The whole suite (or any part of it) against S3: TEST_PRIVATE_STORAGE=s3 pytest …
        request.getfixturevalue("s3_private_storage")
    settings.SMS_BACKEND = "mutuelle.sms.OutboxSmsBackend"
    settings.ADDRESS_BACKEND = "mutuelle.address_check.OfflineAddressBackend"
    # A fast hasher: PBKDF2's cost is paid on every login and factory user otherwise.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    # A test's response.close() fires request_finished, whose close_old_connections
    # would close (on PostgreSQL) the connection holding the test's own transaction.
    close_if_obsolete = connection.close_if_unusable_or_obsolete

    def keep_open_inside_the_test_transaction():
        if not connection.in_atomic_block:
            close_if_obsolete()

    monkeypatch.setattr(
        connection, "close_if_unusable_or_obsolete", keep_open_inside_the_test_transaction
    )
    yield
    cache.clear()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (``playwright install`` cannot download here). Missing
    Chromium skips browser tests in a bare ``pytest`` run, and fails them under ``make
    test`` and in CI."""
    if not CHROMIUM.exists():
        reason = f"Chromium introuvable ({CHROMIUM}) : lancez scripts/system-packages.sh."
        if _browser_required():
            pytest.fail(reason + " Les tests navigateur ne sont pas ignorés ici.")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_FLAGS}


@pytest.fixture
def page(page):
    """pytest-playwright's page, audited by axe-core on every document it shows and
    failing on any Content-Security-Policy violation (see ``tests/browser_support.py``)."""
    page.set_default_timeout(10_000)
    csp_violations = watch_csp_violations(page)
    report = audit_every_document(page)
    yield page
    if not page.is_closed():
        report.audit_pending(page, final=True)
    if csp_violations:
        pytest.fail(
            "Violations de la politique de sécurité du contenu (CSP) :\n"
            + "\n".join(dict.fromkeys(csp_violations)),
            pytrace=False,
        )
    if report.problems:
        pytest.fail(
            "Violations d'accessibilité graves ou critiques :\n" + "\n".join(report.problems),
            pytrace=False,
        )


@pytest.fixture
def address_api(settings):
    """The production backend, pointed at the fake service."""
    with FakeAddressApi() as server:
        settings.ADDRESS_BACKEND = "mutuelle.address_check.BanAddressBackend"
        settings.ADDRESS_API_URL = server.url
        settings.ADDRESS_API_TIMEOUT = 2
        settings.ADDRESS_API_MIN_SCORE = 0.6
        yield server
