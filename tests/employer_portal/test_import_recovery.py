"""Issue 12 §3: a crashed import does not stay « running » forever.

A run killed mid-way is simulated by an exception that the service does not catch (a
``BaseException``, like the end of a killed process: nothing after it runs); the clock
is moved with time-machine past the heartbeat's staleness, then the sweeper runs.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from employer_portal import tasks
from employer_portal.imports import service
from employer_portal.models import ImportJob, ImportStatus
from enrolment.models import Enrolment
from mutuelle.celery import app as celery_app
from tests.employer_portal.test_import import page, values, xlsx_bytes
from tests.mutuelle.factories import (
    ContractFactory,
    CorrespondentAccessFactory,
    InsuredGroupFactory,
)

pytestmark = pytest.mark.django_db
ROWS = 5


class Killed(BaseException):
    """The worker process dies: no ``except Exception`` sees it."""


@pytest.fixture
def setup(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.IMPORT_HEARTBEAT_STALE_SECONDS = 300
    contract = ContractFactory(start_date=dt.date(2024, 1, 1))
    group = InsuredGroupFactory(contract=contract, name="Cadres")
    access = CorrespondentAccessFactory(company=contract.company)
    client.force_login(access.user)
    return contract, group


def make_job(contract, group, rows: int = ROWS) -> ImportJob:
    return service.import_job_create(
        company=contract.company,
        contract=contract,
        group=group,
        upload=ContentFile(xlsx_bytes([values(n) for n in range(1, rows + 1)]), name="a.xlsx"),
        by=None,
    )


def kill_at_row(monkeypatch, row: int) -> None:
    """The next run dies while checking ``row`` (once)."""
    real = service.check_employee
    seen = {"rows": 0, "killed": False}

    def check(*args, **kwargs):
        seen["rows"] += 1
        if seen["rows"] == row and not seen["killed"]:
            seen["killed"] = True
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "check_employee", check)


def run_killed(job: ImportJob) -> ImportJob:
    with pytest.raises(Killed):
        service.import_job_run(job=job)
    job.refresh_from_db()
    return job


def later(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_progress_writes_the_heartbeat_every_thousand_rows_not_per_row(setup, monkeypatch):
    contract, group = setup
    monkeypatch.setattr(service, "PROGRESS_EVERY", 2)
    beats = []
    real_beat = service._beat
    monkeypatch.setattr(
        service, "_beat", lambda job, attempt, **f: beats.append(f) or real_beat(job, attempt, **f)
    )
    job = service.import_job_run(job=make_job(contract, group))
    progress = [b for b in beats if "processed_rows" in b]
    assert [b["processed_rows"] for b in progress] == [2, 4]
    assert len(beats) == 4  # header read, rows 2 and 4, before the final transaction
    assert job.status == ImportStatus.DONE and job.attempts == 1
    assert job.heartbeat_at is not None


def test_killed_run_stays_running_until_stale_then_the_sweeper_restarts_it(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    contract, group = setup
    job = make_job(contract, group)
    kill_at_row(monkeypatch, 3)
    job = run_killed(job)
    assert job.status == ImportStatus.RUNNING and job.attempts == 1
    assert not Enrolment.objects.exists()  # all or nothing

    with later(4), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert service.import_jobs_sweep() == {"restarted": 0, "failed": 0}
    assert not callbacks
    with later(6), django_capture_on_commit_callbacks() as callbacks:
        assert service.import_jobs_sweep() == {"restarted": 1, "failed": 0}
    assert len(callbacks) == 1  # the queued run
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the worker runs it (eager)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 2
    assert job.valid_count == ROWS and Enrolment.objects.count() == ROWS


def test_three_killed_runs_end_in_failure_with_a_message_and_a_retry(
    client, setup, monkeypatch, django_capture_on_commit_callbacks
):
    contract, group = setup
    job = make_job(contract, group)
    for attempt in range(1, 4):
        kill_at_row(monkeypatch, 2)
        with later(6 * (attempt - 1)):
            job = run_killed(job)
        assert job.status == ImportStatus.RUNNING and job.attempts == attempt
        with later(6 * attempt), django_capture_on_commit_callbacks() as callbacks:
            result = service.import_jobs_sweep()
        job.refresh_from_db()
        if attempt < 3:
            assert result == {"restarted": 1, "failed": 0} and len(callbacks) == 1
            assert job.status == ImportStatus.PENDING
    assert result == {"restarted": 0, "failed": 1} and not callbacks
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert not Enrolment.objects.exists()

    url = reverse("employer_portal:import_job", args=[contract.company.pk, job.pk])
    text = page(client.get(url))
    assert "Échec du traitement de votre fichier" in text
    assert "interrompu 3 fois par un incident technique" in text
    assert "aucun salarié n'a été enregistré" in text
    assert "Relancer l'import" in text
    # Nothing left for the sweeper.
    with later(60):
        assert service.import_jobs_sweep() == {"restarted": 0, "failed": 0}

    retry = reverse("employer_portal:import_job_retry", args=[contract.company.pk, job.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(retry, follow=True)
        client.post(retry)  # a double submit does nothing twice
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert "Le traitement de votre fichier a été relancé" in page(response)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 1
    assert Enrolment.objects.count() == ROWS
    assert f"{ROWS} salariés validés" in page(client.get(url))


def test_progress_page_says_the_job_was_restarted(client, setup, monkeypatch):
    contract, group = setup
    job = make_job(contract, group)
    kill_at_row(monkeypatch, 2)
    run_killed(job)
    with later(6):
        service.import_jobs_sweep()
    url = reverse("employer_portal:import_job", args=[contract.company.pk, job.pk])
    text = page(client.get(url))
    assert "Traitement de votre fichier en cours" in text
    assert "a repris automatiquement depuis le début (tentative 1 sur 3)" not in text
    kill_at_row(monkeypatch, 2)
    with later(6):
        run_killed(job)
        text = page(client.get(url))
    assert "a repris automatiquement depuis le début (tentative 2 sur 3)" in text


def test_a_redelivered_message_of_a_finished_job_imports_nothing_twice(setup):
    """The worker committed the import, then died before acknowledging the message:
    the broker delivers it again."""
    contract, group = setup
    job = make_job(contract, group)
    tasks.run_import_job(job.pk)
    tasks.run_import_job(job.pk)
    with later(60):
        assert service.import_jobs_sweep() == {"restarted": 0, "failed": 0}
        tasks.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 1
    assert Enrolment.objects.count() == ROWS


def test_a_message_for_a_job_running_elsewhere_is_skipped(setup):
    contract, group = setup
    job = make_job(contract, group)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, attempts=1, heartbeat_at=now
    )
    with later(2):
        tasks.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and job.attempts == 1
    assert not Enrolment.objects.exists()


def test_a_run_that_lost_its_claim_stops_and_the_other_run_imports_once(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    """A worker so slow that its heartbeat went stale: the sweeper gives the job to
    another worker, which finishes it; the slow one stops at its next progress write."""
    contract, group = setup
    monkeypatch.setattr(service, "PROGRESS_EVERY", 1)
    job = make_job(contract, group)
    real = service.check_employee
    state = {"rows": 0}

    def slow_check(*args, **kwargs):
        state["rows"] += 1
        if state["rows"] == 2:  # the first run stalls here; meanwhile:
            with later(6), django_capture_on_commit_callbacks(execute=True):
                assert service.import_jobs_sweep()["restarted"] == 1
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "check_employee", slow_check)
    first = service.import_job_run(job=job)
    assert first.status == ImportStatus.DONE and first.attempts == 2
    assert Enrolment.objects.count() == ROWS


def test_a_lost_message_of_a_pending_job_is_queued_again(setup, django_capture_on_commit_callbacks):
    contract, group = setup
    job = make_job(contract, group)
    with later(6), django_capture_on_commit_callbacks(execute=True):
        assert service.import_jobs_sweep() == {"restarted": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 1


def test_a_redelivered_message_after_the_last_attempt_ends_the_job(setup):
    contract, group = setup
    job = make_job(contract, group)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, attempts=3, heartbeat_at=timezone.now()
    )
    with later(6):
        tasks.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "interrompu 3 fois" in job.refusal_reason
    assert not Enrolment.objects.exists()


def test_command_interrupted_marks_its_job_failed(setup, tmp_path, monkeypatch):
    contract, _group = setup
    path = tmp_path / "salaries.xlsx"
    path.write_bytes(xlsx_bytes([values(n) for n in range(1, ROWS + 1)]))
    real = service.check_employee

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "check_employee", interrupted)
    with pytest.raises(CommandError, match="interrompu"):
        call_command("import_affiliations", str(path), contract=contract.number, group="Cadres")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "arrêté avant la fin" in job.refusal_reason
    assert not Enrolment.objects.exists()
    monkeypatch.setattr(service, "check_employee", real)


def test_command_killed_outright_is_restarted_by_the_sweeper(
    setup, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    contract, _group = setup
    path = tmp_path / "salaries.xlsx"
    path.write_bytes(xlsx_bytes([values(n) for n in range(1, ROWS + 1)]))
    kill_at_row(monkeypatch, 3)
    with pytest.raises(Killed):
        call_command("import_affiliations", str(path), contract=contract.number, group="Cadres")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.RUNNING
    with later(6), django_capture_on_commit_callbacks(execute=True):
        service.import_jobs_sweep()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Enrolment.objects.count() == ROWS


def test_another_company_cannot_retry_a_job(client, setup):
    contract, group = setup
    job = make_job(contract, group)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    other = CorrespondentAccessFactory()
    client.force_login(other.user)
    url = reverse("employer_portal:import_job_retry", args=[other.company.pk, job.pk])
    assert client.post(url).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_retry_needs_a_post(client, setup):
    contract, group = setup
    job = make_job(contract, group)
    url = reverse("employer_portal:import_job_retry", args=[contract.company.pk, job.pk])
    assert client.get(url).status_code == 405


def test_task_is_acknowledged_late_and_the_sweeper_is_scheduled():
    task = celery_app.tasks["employer_portal.tasks.run_import_job"]
    assert task.acks_late is True and task.reject_on_worker_lost is True
    entry = settings.CELERY_BEAT_SCHEDULE["imports-sweep"]
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].remaining_estimate(timezone.now()) <= dt.timedelta(minutes=1)


def test_a_redelivered_message_takes_over_at_once(setup):
    """The broker gives a lost worker's message back (late acknowledgement): the job
    restarts without waiting for its heartbeat to go stale."""
    contract, group = setup
    job = make_job(contract, group)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    job = service.import_job_run(job=job, take_over=True)
    assert job.status == ImportStatus.DONE and job.attempts == 2
    assert Enrolment.objects.count() == ROWS
