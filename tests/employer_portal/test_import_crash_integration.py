"""Issue 12 §3 with real processes: a Celery worker killed (SIGKILL) in the middle of a
20,000-row import, then the job finishing after a restart and the sweeper — or failing
(« Échec ») after three killed attempts; a pool process killed, whose message the
broker delivers again at once (late acknowledgement, ``reject_on_worker_lost``); and the
command-line import stopped by SIGTERM (failed at once) or killed (finished by a worker).

Needs ``REDIS_URL`` and a database another process can open (PostgreSQL in CI);
skipped without them on a development machine, a failure in CI.
"""

import os
import signal
import time
import uuid
from pathlib import Path

import psutil
import pytest
from django.core.files import File

from benchmarks.employer import generate_import_xlsx
from employer_portal.imports import service
from employer_portal.models import ImportJob, ImportStatus
from employer_portal.tasks import run_import_job
from enrolment.models import Enrolment
from mutuelle.celery import app as celery_app
from tests.mutuelle.factories import ContractFactory, InsuredGroupFactory
from tests.ops.processes import Cluster, database_url_for_other_processes, redis_url

pytestmark = pytest.mark.integration
ROWS = 20_000
# Enough rows for a kill after the first progress write (every 1,000 rows).
SMALL_ROWS = 4_000
STALE_SECONDS = 2


@pytest.fixture
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("import") / "salaries.xlsx"
    generate_import_xlsx(path, ROWS)
    return path


@pytest.fixture
def small_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("import") / "salaries.xlsx"
    generate_import_xlsx(path, SMALL_ROWS)
    return path


@pytest.fixture
def workers(transactional_db, tmp_path, settings):
    """Starts Celery workers on a queue of their own, on the test database and Redis;
    the test process queues there too and shares the workers' private storage."""
    database_url = database_url_for_other_processes()
    broker = redis_url()
    queue = f"itest-import-{uuid.uuid4().hex[:8]}"
    private = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": private},
        },
    }
    settings.IMPORT_HEARTBEAT_STALE_SECONDS = STALE_SECONDS
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "VAR_DIR": str(tmp_path / "var"),
        "PRIVATE_MEDIA_ROOT": str(private),
        "IMPORT_HEARTBEAT_STALE_SECONDS": str(STALE_SECONDS),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SMS_BACKEND": "mutuelle.sms.OutboxSmsBackend",
        "LOG_LEVEL": "INFO",
    }
    env.pop("S3_BUCKET", None)
    cluster = Cluster(tmp_path, env)
    count = {"n": 0}

    def start(pool: str = "solo") -> str:
        count["n"] += 1
        name = f"worker-{count['n']}"
        extra = ["-c", "1"] if pool == "prefork" else []
        cluster.start(
            name, "celery", "-A", "mutuelle", "worker", "-P", pool, *extra,
            "--without-mingle", "--without-gossip", "-n", f"{name}@%h", "-Q", queue,
            "--loglevel=INFO",
        )  # fmt: skip
        cluster.wait_for(lambda: "ready." in cluster.log(name), f"{name} ready", timeout=240)
        return name

    def kill(name: str) -> None:
        process = cluster.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    previous = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "task_default_queue": celery_app.conf.task_default_queue,
        "broker_url": celery_app.conf.broker_url,
    }
    celery_app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=broker)
    try:
        yield {"start": start, "kill": kill, "cluster": cluster, "queue": queue}
    finally:
        celery_app.conf.update(previous)
        cluster.stop()


def _job(path: Path) -> ImportJob:
    contract = ContractFactory()
    group = InsuredGroupFactory(contract=contract, name="Non-cadres")
    with path.open("rb") as handle:
        return service.import_job_create(
            company=contract.company,
            contract=contract,
            group=group,
            upload=File(handle, name=path.name),
            by=None,
        )


def _wait_rows(workers, job: ImportJob, *, attempt: int, rows: int) -> ImportJob:
    def reached():
        job.refresh_from_db()
        return job.attempts == attempt and job.processed_rows >= rows and job

    return workers["cluster"].wait_for(reached, f"attempt {attempt} past {rows} rows", 300)


def _sweep_when_stale(job: ImportJob) -> dict:
    time.sleep(STALE_SECONDS + 0.5)
    return service.import_jobs_sweep()


def test_a_killed_worker_s_import_finishes_after_restart_and_sweep(workers, big_file):
    job = _job(big_file)
    worker = workers["start"]()
    run_import_job.delay(job.pk)
    job = _wait_rows(workers, job, attempt=1, rows=5000)
    workers["kill"](worker)
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and job.processed_rows < ROWS
    assert not Enrolment.objects.exists()  # nothing half-imported

    workers["start"]()
    assert _sweep_when_stale(job) == {"restarted": 1, "failed": 0}

    def done():
        job.refresh_from_db()
        return job.status == ImportStatus.DONE

    workers["cluster"].wait_for(done, "the restarted import to finish", timeout=600)
    assert job.attempts == 2 and job.error_count == 0
    assert job.valid_count == ROWS == Enrolment.objects.filter(group=job.group).count()
    # The killed worker's message, delivered again later, imports nothing twice.
    service.import_job_run(job=job, take_over=True)
    assert Enrolment.objects.count() == ROWS


def test_three_killed_attempts_end_in_failure(workers, small_file):
    job = _job(small_file)
    run_import_job.delay(job.pk)
    for attempt in (1, 2, 3):
        worker = workers["start"]()
        _wait_rows(workers, job, attempt=attempt, rows=1000)
        workers["kill"](worker)
        expected = {"restarted": 1, "failed": 0} if attempt < 3 else {"restarted": 0, "failed": 1}
        assert _sweep_when_stale(job) == expected
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "interrompu 3 fois" in job.refusal_reason
    assert not Enrolment.objects.exists()


def test_a_killed_pool_process_s_message_is_delivered_again_at_once(workers, small_file):
    """Prefork pool: the worker sees its child die and gives the message back to Redis
    (``reject_on_worker_lost``); the redelivered message restarts the job at once,
    without the sweeper."""
    job = _job(small_file)
    name = workers["start"]("prefork")
    run_import_job.delay(job.pk)
    _wait_rows(workers, job, attempt=1, rows=1000)
    parent = psutil.Process(workers["cluster"].processes[name].pid)
    (child,) = parent.children()
    child.send_signal(signal.SIGKILL)
    job = _wait_rows(workers, job, attempt=2, rows=1000)
    assert job.status == ImportStatus.RUNNING

    def done():
        job.refresh_from_db()
        return job.status == ImportStatus.DONE

    workers["cluster"].wait_for(done, "the redelivered import to finish", timeout=600)
    assert job.attempts == 2 and Enrolment.objects.count() == SMALL_ROWS


def _command_job(workers, path: Path) -> ImportJob:
    """``import_affiliations`` started as its own process, past its first 1,000 rows."""
    contract = ContractFactory()
    InsuredGroupFactory(contract=contract, name="Non-cadres")
    workers["cluster"].start(
        "command", "python", "manage.py", "import_affiliations", str(path),
        "--contract", contract.number, "--group", "Non-cadres",
    )  # fmt: skip
    job = workers["cluster"].wait_for(
        lambda: ImportJob.objects.filter(processed_rows__gte=1000).first(),
        "the command's first 1,000 rows",
        timeout=300,
    )
    assert job.status == ImportStatus.RUNNING
    return job


def test_a_command_line_import_stopped_by_sigterm_ends_failed(workers, small_file):
    job = _command_job(workers, small_file)
    process = workers["cluster"].processes.pop("command")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "arrêté avant la fin" in job.refusal_reason
    assert "interrompu : aucun salarié enregistré" in workers["cluster"].log("command")
    assert not Enrolment.objects.exists()


def test_a_command_line_import_killed_outright_is_finished_by_a_worker(workers, small_file):
    job = _command_job(workers, small_file)
    workers["kill"]("command")
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and not Enrolment.objects.exists()
    workers["start"]()
    assert _sweep_when_stale(job) == {"restarted": 1, "failed": 0}

    def done():
        job.refresh_from_db()
        return job.status == ImportStatus.DONE

    workers["cluster"].wait_for(done, "the worker to finish the import", timeout=600)
    assert job.attempts == 2 and Enrolment.objects.count() == SMALL_ROWS
