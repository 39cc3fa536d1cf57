"""``make loadtest``: gunicorn (2 workers as configured in ``gunicorn.conf.py``,
production settings) on the 10,000-employee company, locust headless (20 users, 60 s),
one ``name: value`` line per figure.

The site runs with ``DEBUG=false`` and secrets generated once (kept in the load test's
own folder, so that a database reused between runs stays readable), on the database of
``DATABASE_URL`` or, without it, an SQLite file of its own (not the development one).
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format

from benchmarks.loadtest_data import CORRESPONDENT_EMAIL, MEMBER_EMAIL
from benchmarks.loadtest_db import DatabaseCpu

USERS = 20
DURATION_S = 60
# Users arrive over RAMP_S seconds, then DURATION_S seconds are measured: with all of
# them started in the same second, eighteen logins (an Argon2 hash each) and their first
# pages queued behind one another, and that start alone made most of the slowest 5 %.
RAMP_S = 5
WORKERS = 2
LIST_PAGES = ("entreprise: collaborateurs", "entreprise: demandes")
# The locustfile names its trivial endpoint « trivial: … » (it is not imported here:
# locust monkey-patches threads and sockets at import).
TRIVIAL_PREFIX = "trivial:"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(histograms: list[dict], fraction: float) -> float:
    """Locust keeps response times as {rounded ms: count}; merge and read the rank."""
    merged: dict[float, int] = {}
    for histogram in histograms:
        for ms, count in histogram.items():
            merged[float(ms)] = merged.get(float(ms), 0) + count
    total = sum(merged.values())
    if not total:
        return float("nan")
    rank, seen = fraction * total, 0
    for ms in sorted(merged):
        seen += merged[ms]
        if seen >= rank:
            return ms
    return max(merged)


class Command(BaseCommand):
    help = "Test de charge : gunicorn (production) + locust, une ligne « nom: valeur » par mesure."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=10_000)
        parser.add_argument("--users", type=int, default=USERS)
        parser.add_argument("--duration", type=int, default=DURATION_S, help="secondes")

    def handle(self, *args, employees, users, duration, **options):
        folder = Path(settings.VAR_DIR) / "loadtest"
        folder.mkdir(parents=True, exist_ok=True)
        env = self._environment(folder)
        password = secrets.token_urlsafe(16) + "-Aa1!"
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        count = number_format(employees, force_grouping=True)
        self.stderr.write(f"Migrations, fichiers statiques, entreprise de {count} salariés…")
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run([*manage, *command], env=env, check=True)  # noqa: S603
        built = subprocess.run(  # noqa: S603
            # « --password=… » in one argument: a random password may start with « - ».
            [*manage, "loadtest_company", f"--employees={employees}", f"--password={password}"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        company_id = dict(
            line.split(": ", 1) for line in built.stdout.splitlines() if ": " in line
        )["company_id"]

        port = _free_port()
        # Plain HTTP, as from the TLS proxy of production (see the locustfile).
        host = f"http://127.0.0.1:{port}"
        log = (folder / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "mutuelle.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up(host, gunicorn)
            cpu = DatabaseCpu.for_url(env["DATABASE_URL"])
            processes = DatabaseCpu.server_processes(env["DATABASE_URL"])
            report = self._run_locust(
                host,
                folder,
                users=users,
                duration=duration,
                extra={
                    "LOADTEST_COMPANY_ID": company_id,
                    "LOADTEST_PASSWORD": password,
                    "LOADTEST_CORRESPONDENT": CORRESPONDENT_EMAIL,
                    "LOADTEST_MEMBER": MEMBER_EMAIL,
                },
                measures=(cpu, processes),
            )
            db_ms, db_cpu_ms = cpu.stop(), processes.stop()
        finally:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
            log.close()
        self._print(report, duration=duration, db=(db_ms, cpu), db_cpu=(db_cpu_ms, processes))

    def _environment(self, folder: Path) -> dict:
        """Production settings; secrets from the environment or generated once."""
        kept = folder / "secrets.json"
        if kept.exists():
            stored = json.loads(kept.read_text())
        else:
            stored = {
                "SECRET_KEY": secrets.token_urlsafe(64),
                "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            }
            kept.write_text(json.dumps(stored))
            kept.chmod(0o600)
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or stored["SECRET_KEY"],
            "FIELD_ENCRYPTION_KEYS": (
                os.environ.get("FIELD_ENCRYPTION_KEYS") or stored["FIELD_ENCRYPTION_KEYS"]
            ),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Each locust user has its own address, appended by one (simulated) proxy.
            "TRUSTED_PROXY_COUNT": "1",
            "VAR_DIR": str(folder / "var"),
            "STATIC_ROOT": str(folder / "static"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "mutuelle.settings",
        }
        env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'db.sqlite3'}")
        return env

    def _wait_until_up(self, host: str, process) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError("gunicorn s'est arrêté au démarrage (voir gunicorn.log).")
            try:
                health = f"{host}/sante/"
                with urllib.request.urlopen(health, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise CommandError("gunicorn ne répond pas sur /sante/ après 60 s.")

    def _run_locust(self, host, folder, *, users, duration, extra, measures) -> list[dict]:
        """locust's figures of the DURATION_S seconds after the ramp; the database's
        ``measures`` are started when the ramp ends, so that both cover the same time."""
        report = folder / "locust.json"
        report.unlink(missing_ok=True)
        locustfile = Path(__file__).resolve().parents[2] / "locustfile.py"
        locust = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(locustfile),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users / RAMP_S),
                "--run-time",
                f"{duration + RAMP_S}s",
                "--reset-stats",
                "--host",
                host,
                "--only-summary",
                "--skip-log-setup",
                "--json-file",
                str(folder / "locust"),
                "--stop-timeout",
                "5",
            ],
            env={**os.environ, **extra},
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            locust.wait(timeout=RAMP_S)
        except subprocess.TimeoutExpired:
            for measure in measures:
                measure.start()
        _, errors = locust.communicate()
        # The exit code is 1 when a request failed: that is a figure, not a crash.
        if not report.exists():
            raise CommandError(f"locust n'a rien mesuré :\n{errors[-3000:]}")
        return json.loads(report.read_text())

    def _print(self, stats: list[dict], *, duration: int, db, db_cpu) -> None:
        load = [s for s in stats if not s["name"].startswith(TRIVIAL_PREFIX)]
        trivial = [s for s in stats if s["name"].startswith(TRIVIAL_PREFIX)]
        lists = [s for s in stats if s["name"] in LIST_PAGES]
        requests = sum(s["num_requests"] for s in load)

        def avg(entries):
            count = sum(s["num_requests"] for s in entries)
            return sum(s["total_response_time"] for s in entries) / count if count else 0

        lines = {
            "load_p95_ms": _percentile([s["response_times"] for s in load], 0.95),
            "load_errors": sum(s["num_failures"] for s in stats),
            "load_rps": requests / duration,
            "trivial_rps": sum(s["num_requests"] for s in trivial) / duration,
            "list_rps": sum(s["num_requests"] for s in lists) / duration,
            "list_p95_ms": _percentile([s["response_times"] for s in lists], 0.95),
            "trivial_avg_ms": avg(trivial),
            "list_avg_ms": avg(lists),
            # Requests one worker can serve per second ~ 1 / time per request.
            "list_vs_trivial_capacity": avg(trivial) / avg(lists) if avg(lists) else 0,
        }
        served = requests + sum(s["num_requests"] for s in trivial)
        for name, (ms, measure) in (
            ("load_db_ms_per_request", db),
            ("load_db_cpu_ms_per_request", db_cpu),
        ):
            lines[name] = (
                f"{ms / served:.3f} ({measure.source})"
                if ms is not None
                else f"n/a ({measure.reason})"
            )
        # Other processes on the machine slow every figure above: say how busy it was.
        lines["load_machine_loadavg_1min"] = os.getloadavg()[0]
        for name, value in lines.items():
            shown = f"{value:.3f}" if isinstance(value, float) else value
            self.stdout.write(f"{name}: {shown}")
        for entry in sorted(stats, key=lambda s: s["name"]):
            self.stdout.write(
                f"  {entry['name']}: {entry['num_requests']} req, "
                f"p95 {_percentile([entry['response_times']], 0.95):.0f} ms, "
                f"{entry['num_failures']} err"
            )
