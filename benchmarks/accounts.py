"""``make bench`` figures of the accounts (see benchmarks/management/commands/bench.py).

``login_ms``: median time of a successful login POST through the test client, with the
project's password hashers (Argon2id first) — the hash check dominates it.
"""

import statistics
import time

from django.test import Client

from mutuelle.models import User

PASSWORD = "Mesure-Connexion-2026!"  # noqa: S105 - throwaway benchmark account
RUNS = 20


def login_time() -> dict[str, float]:
    User.objects.create_user(username="bench-login", email="bench@example.fr", password=PASSWORD)
    timings = []
    for _ in range(RUNS):
        client = Client()
        started = time.perf_counter()
        response = client.post("/compte/login/", {"login": "bench-login", "password": PASSWORD})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return {"login_ms": statistics.median(timings) * 1000}


BENCHMARKS = [login_time]
