"""PostgreSQL's own time during the load test (``load_db_ms_per_request``).

From ``pg_stat_statements`` when the extension is loaded (execution and planning time of
the load test's database), otherwise from ``/proc`` (user + system CPU of the server's
processes, sampled through the run so that backends which end early still count).
SQLite runs inside the gunicorn workers: there is no separate database time to measure.

``pg_stat_statements`` times are elapsed time: on a busy machine (locust, gunicorn and
PostgreSQL share its cores) they include the time a backend waited for a core. When the
server runs on this machine, :meth:`DatabaseCpu.server_processes` measures the CPU its
processes used (``load_db_cpu_ms_per_request``): the load test server's postmaster and
its children, not the other PostgreSQL servers of the machine.
"""

import os
import threading
from pathlib import Path

import psycopg

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


class DatabaseCpu:
    source = ""
    reason = ""

    @classmethod
    def for_url(cls, url: str) -> "DatabaseCpu":
        if not url.startswith(("postgres://", "postgresql://")):
            return NotMeasured(
                "SQLite s'exécute dans les workers gunicorn : son temps est déjà dans celui "
                "des pages"
            )
        try:
            with psycopg.connect(url, connect_timeout=5, autocommit=True) as connection:
                # Needs the library preloaded by the server, and a superuser the first
                # time; otherwise /proc below.
                connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                connection.execute("SELECT sum(total_exec_time) FROM pg_stat_statements")
            return PgStatStatements(url)
        except psycopg.Error:
            pass
        processes = cls.server_processes(url)
        if isinstance(processes, NotMeasured):
            processes.reason = (
                f"ni pg_stat_statements (shared_preload_libraries), {processes.reason}"
            )
        return processes

    @classmethod
    def server_processes(cls, url: str) -> "DatabaseCpu":
        """CPU of the processes of the server behind ``url``, when it runs here."""
        if not url.startswith(("postgres://", "postgresql://")):
            return NotMeasured("pas de serveur PostgreSQL")
        try:
            with psycopg.connect(url, connect_timeout=5) as connection:
                backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
                postmaster = _parent_of(backend)
        except psycopg.Error as error:
            return NotMeasured(f"PostgreSQL injoignable ({error.__class__.__name__})")
        if postmaster is None:
            return NotMeasured("ni processus du serveur dans /proc (autre machine)")
        return ProcCpu(postmaster)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> float | None:
        """Milliseconds PostgreSQL spent since ``start``."""
        raise NotImplementedError


class NotMeasured(DatabaseCpu):
    def __init__(self, reason: str):
        self.reason = reason

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


class PgStatStatements(DatabaseCpu):
    source = "pg_stat_statements"
    _QUERY = (
        "SELECT coalesce(sum(total_exec_time + total_plan_time), 0) FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )

    def __init__(self, url: str):
        self.url = url

    def _total(self) -> float:
        with psycopg.connect(self.url) as connection:
            return float(connection.execute(self._QUERY).fetchone()[0])

    def start(self) -> None:
        self.before = self._total()

    def stop(self) -> float:
        return self._total() - self.before


def _parent_of(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The parent's pid is field 4 of /proc/<pid>/stat (1-based), after the name.
    return int(text[text.rindex(")") + 2 :].split()[1])


def _postgres_processes(postmaster: int):
    """(pid, CPU ticks) of ``postmaster`` and its children."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name == "postgres" or name.startswith("postgres:"):
            fields = text[text.rindex(")") + 2 :].split()
            pid = int(stat.parent.name)
            if postmaster not in (pid, int(fields[1])):
                continue
            # utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based).
            yield pid, int(fields[11]) + int(fields[12])


class ProcCpu(DatabaseCpu):
    source = "/proc, CPU des processus du serveur"

    def __init__(self, postmaster: int):
        self.postmaster = postmaster

    def start(self) -> None:
        self.baseline = dict(_postgres_processes(self.postmaster))
        self.latest = dict(self.baseline)
        self.done = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self) -> None:
        while not self.done.wait(0.5):
            self.latest.update(_postgres_processes(self.postmaster))

    def stop(self) -> float:
        self.done.set()
        self.sampler.join()
        self.latest.update(_postgres_processes(self.postmaster))
        ticks = sum(total - self.baseline.get(pid, 0) for pid, total in self.latest.items())
        return ticks * _TICK_MS
