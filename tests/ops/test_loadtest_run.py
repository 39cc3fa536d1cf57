"""``make loadtest`` end to end on a small company: gunicorn in production settings and
locust talking to it as the TLS proxy of production does (``X-Forwarded-Proto``,
``X-Forwarded-For``, a connection per request). Every scenario logs in and reads its
pages without an error: a client that lost its ``Secure`` cookies, or a page sending
it back to the login form, fails here rather than in a long run's figures."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration


def test_every_scenario_of_the_load_test_runs_without_error(tmp_path):
    # The embedded default (SQLite, file cache) in a folder of its own: the test touches
    # neither the test database nor Redis.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "loadtest",
            "--employees=60",
            "--users=20",
            "--duration=6",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # « name: value » lines, then one indented line per scenario.
    figures = dict(
        line.split(": ", 1)
        for line in result.stdout.splitlines()
        if ": " in line and not line.startswith(" ")
    )
    assert figures["load_errors"] == "0", result.stdout
    served = dict(re.findall(r"^  (.+): (\d+) req", result.stdout, re.MULTILINE))
    for scenario in (
        "connexion",
        "déconnexion",
        "entreprise: collaborateurs",
        "entreprise: demandes",
        "adhérent: accueil",
        "trivial: /sante/",
    ):
        assert int(served.get(scenario, 0)) > 0, (scenario, result.stdout)
