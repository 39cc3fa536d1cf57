"""Real processes for the scale-out test: gunicorn, Celery workers and beat, each on
the test database (PostgreSQL) and Redis, with their output in a log file."""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"
BIN = Path(sys.executable).parent


def unavailable(reason: str) -> None:
    """Skipped on a development machine without the services, a failure in CI."""
    if IN_CI:
        pytest.fail(f"Integration test cannot run in CI: {reason}")
    pytest.skip(reason)


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        unavailable("REDIS_URL is not set (CI sets it; start redis-server to run this test).")
    return url


def database_url_for_other_processes() -> str:
    """The test database as a URL another process can open (committed rows only: the
    test must be transactional). PostgreSQL, or an SQLite file; not in-memory SQLite."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = quote(db.get("USER") or "", safe="")
        password = quote(db.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        return f"postgres://{auth}{db.get('HOST') or ''}:{db.get('PORT') or 5432}/{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.sqlite3" and not connection.is_in_memory_db():
        return f"sqlite:///{db['NAME']}"
    unavailable(
        "the test database is an in-memory SQLite database, which another process cannot "
        "open: set DATABASE_URL to PostgreSQL."
    )
    return ""


class Cluster:
    """Started processes, stopped (and their logs kept) at the end of the test."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *command: str) -> None:
        log = (self.folder / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed commands
            [shutil.which(command[0], path=str(BIN)) or command[0], *command[1:]],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)[-3000:]}" for name in self.processes)

    def check_alive(self) -> None:
        dead = [name for name, p in self.processes.items() if p.poll() is not None]
        if dead:
            pytest.fail(f"Stopped early: {dead}\n{self.logs()}")

    def wait_for(self, predicate, what: str, timeout: float = 40):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            self.check_alive()
            time.sleep(0.2)
        pytest.fail(f"Timed out waiting for {what}.\n{self.logs()}")

    def wait_http(self, url: str) -> None:
        def answers():
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                    return response.status == 200
            except OSError:
                return False

        self.wait_for(answers, url, timeout=60)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
