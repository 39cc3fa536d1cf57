"""``make bench`` figures of the accounts (see benchmarks/management/commands/bench.py).

``login_ms``: median time of a successful login POST through the test client, by e-mail
as people log in, with the project's password hashers (Argon2id first) — the hash check
dominates it.
"""

import secrets
import statistics
import time

from django.test import Client

from mutuelle.models import User

PASSWORD = "Mesure-Connexion-2026!"  # noqa: S105 - throwaway benchmark account
RUNS = 20


def login_time() -> dict[str, float]:
    User.objects.create_user(username="bench-login", email="bench@example.fr", password=PASSWORD)
    timings = []
    # Each login from its own address: the login limit (30 a minute per address, kept in
    # the shared cache) would refuse a second ``make bench`` run within the minute.
    network = secrets.randbelow(250)
    credentials = {"login": "bench@example.fr", "password": PASSWORD}
    for run in range(RUNS):
        client = Client(REMOTE_ADDR=f"10.{network}.{run}.1")
        started = time.perf_counter()
        response = client.post("/compte/login/", credentials)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return {"login_ms": statistics.median(timings) * 1000}


BENCHMARKS = [login_time]
