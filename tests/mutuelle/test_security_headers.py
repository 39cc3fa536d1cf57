"""Item 6 of issue 12: a Content-Security-Policy without inline scripts, and a
Permissions-Policy, on every page (the browser journeys check that no visited page
reports a CSP violation: see tests/conftest.py)."""

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_csp_and_a_permissions_policy(client):
    response = client.get("/compte/login/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_no_template_holds_an_inline_script_or_handler():
    """Served pages (PDF templates excepted, WeasyPrint renders them offline)."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if "<script>" in text or " onclick=" in text or " onchange=" in text:
            offenders.append(str(template))
    assert offenders == []
