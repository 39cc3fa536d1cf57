"""Two web processes, two Celery workers and one beat on one PostgreSQL and one Redis:
sessions, login limits, imports and periodic jobs work whichever process serves.

Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; skipped without them on a
development machine, never in CI (``CI=true``), where a missing service is a failure.
"""

import csv
import datetime as dt
import io
import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from python_calamine import CalamineWorkbook

from benchmarks.employer import generate_import_xlsx
from employer_portal.imports.files import HEADERS
from employer_portal.models import ImportJob, ImportStatus
from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment
from mutuelle.celery import app as celery_app
from mutuelle.enums import MessageStatus
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import (
    ContractFactory,
    CorrespondentAccessFactory,
    InsuredGroupFactory,
    UserFactory,
)
from tests.ops.processes import (
    Cluster,
    database_url_for_other_processes,
    redis_url,
    unavailable,
)
from tests.ops.support import free_port

pytestmark = pytest.mark.integration
PASSWORD = "Portail-Charge-2026!"
# This test's own Redis database (broker, cache and login counters), emptied first.
REDIS_DB = 3
IMPORT_ROWS = 300
REMINDED = 30


def _production_hash(password: str) -> str:
    """The test process hashes with MD5 (conftest); the web processes use the project's
    hashers, so the password is hashed with the project's first one."""
    from mutuelle import settings as project

    hasher = import_string(project.PASSWORD_HASHERS[0])()
    return hasher.encode(password, hasher.salt())


@pytest.fixture
def cluster(transactional_db, tmp_path, settings):
    database_url = database_url_for_other_processes()
    if not database_url.startswith("postgres://"):
        unavailable("needs PostgreSQL (DATABASE_URL): the processes share one database.")
    own_redis = urlunsplit(urlsplit(redis_url())._replace(path=f"/{REDIS_DB}"))
    redis.Redis.from_url(own_redis).flushdb()
    shared = tmp_path / "var"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": own_redis,
        "VAR_DIR": str(shared),
        "PRIVATE_MEDIA_ROOT": str(shared / "private"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "SMS_BACKEND": "mutuelle.sms.OutboxSmsBackend",
        "LOG_LEVEL": "INFO",
    }
    env.pop("S3_BUCKET", None)
    # The test process writes files where the processes read them.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": shared / "private"},
        },
    }
    processes = Cluster(tmp_path, env)
    ports = [free_port(), free_port()]
    try:
        for name, port in zip(("web-a", "web-b"), ports, strict=True):
            processes.start(
                name, "gunicorn", "mutuelle.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}"
            )
        for name in ("worker-a", "worker-b"):
            processes.start(
                name,
                "celery", "-A", "mutuelle", "worker", "-P", "solo", "--without-mingle",
                "--without-gossip", "-n", f"{name}@%h", "-Q", f"celery,{name}",
                "--loglevel=INFO",
            )  # fmt: skip
        processes.start(
            "beat", "celery", "-A", "mutuelle", "beat", "--loglevel=INFO",
            "-s", str(tmp_path / "beat-schedule"),
        )  # fmt: skip
        for port in ports:
            processes.wait_http(f"http://127.0.0.1:{port}/sante/")
        for name in ("worker-a", "worker-b"):
            processes.wait_for(lambda n=name: "ready." in processes.log(n), f"{name} ready")
        previous = {
            "task_always_eager": celery_app.conf.task_always_eager,
            "broker_url": celery_app.conf.broker_url,
        }
        celery_app.conf.update(task_always_eager=False, broker_url=own_redis)
        try:
            yield {
                "web": [f"http://127.0.0.1:{port}" for port in ports],
                "processes": processes,
                "mail": shared / "mail",
                "broker": own_redis,
            }
        finally:
            celery_app.conf.update(previous)
    finally:
        processes.stop()


def _browser() -> requests.Session:
    """A client of the public site: both web processes sit behind one host name, as
    behind a load balancer (allauth counts login failures per host and login)."""
    session = requests.Session()
    session.headers["Host"] = "localhost"
    return session


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _log_in(session, web: str, login: str, password: str) -> requests.Response:
    token = _csrf(session, f"{web}/compte/login/")
    return session.post(
        f"{web}/compte/login/",
        data={"login": login, "password": password, "csrfmiddlewaretoken": token},
        timeout=30,
    )


def _key_limit() -> int:
    """Failed logins allowed per account (the ``/key`` part of allauth's limit)."""
    rule = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    return next(int(part.split("/")[0]) for part in rule.split(",") if part.endswith("/key"))


def _import_csv(tmp_path) -> bytes:
    """A valid file of IMPORT_ROWS employees, all with an e-mail (no postal letters to
    render), larger than what the page imports inline."""
    xlsx = tmp_path / "salaries.xlsx"
    generate_import_xlsx(xlsx, IMPORT_ROWS)
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    email = HEADERS.index("Email")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for n, row in enumerate(rows[1:]):
        values = ["" if v is None else str(v) for v in row]
        values[email] = values[email] or f"salarie.{n}@exemple.fr"
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8-sig")


def test_two_web_processes_two_workers_and_one_beat_share_everything(cluster, tmp_path):
    web_a, web_b = cluster["web"]
    processes = cluster["processes"]
    contract = ContractFactory(start_date=dt.date(2024, 1, 1))
    group = InsuredGroupFactory(contract=contract, name="Non-cadres")
    access = CorrespondentAccessFactory(company=contract.company)
    access.user.password = _production_hash(PASSWORD)
    access.user.save(update_fields=["password"])
    company = contract.company

    # 1. A session opened on one web process is valid on the other.
    browser = _browser()
    logged_in = _log_in(browser, web_a, access.user.email, PASSWORD)
    assert "/compte/login/" not in logged_in.url, logged_in.text[:500]
    home = browser.get(f"{web_b}{reverse('employer_portal:home', args=[company.pk])}", timeout=30)
    assert home.status_code == 200 and "/compte/login/" not in home.url
    assert company.legal_name in home.text

    # 2. The login limits are counted across processes: failures spread over both
    # (each below the limit alone) lock the account, even for the right password.
    target = UserFactory()
    target.password = _production_hash(PASSWORD)
    target.save(update_fields=["password"])
    limit = _key_limit()
    for attempt in range(limit):
        intruder = _browser()
        failed = _log_in(intruder, (web_a, web_b)[attempt % 2], target.email, "mauvais-mot")
        assert failed.status_code == 200 and "/compte/login/" in failed.url
    locked = _browser()
    refused = _log_in(locked, web_a, target.email, PASSWORD)
    assert "/compte/login/" in refused.url
    assert locked.get(f"{web_b}/accueil/", timeout=30).url.startswith(f"{web_b}/compte/login/")

    # 3. An import uploaded on one web process is run by a worker, and followed to its
    # end from the other web process.
    start = reverse("employer_portal:import_start", args=[company.pk])
    uploaded = browser.post(
        f"{web_a}{start}",
        data={"group": group.pk, "csrfmiddlewaretoken": _csrf(browser, f"{web_a}{start}")},
        files={"file": ("salaries.csv", _import_csv(tmp_path), "text/csv")},
        timeout=60,
    )
    job = ImportJob.objects.get(company=company)
    assert uploaded.url.endswith(reverse("employer_portal:import_job", args=[company.pk, job.pk]))
    status_url = web_b + reverse("employer_portal:import_job_status", args=[company.pk, job.pk])
    seen = []

    def finished():
        state = browser.get(status_url, timeout=30).json()
        seen.append(state)
        return state["finished"]

    processes.wait_for(finished, "the import to finish", timeout=60)
    assert seen[-1]["status"] == ImportStatus.DONE, seen[-1]
    assert seen[-1]["processed"] == seen[-1]["total"] == IMPORT_ROWS
    summary = browser.get(
        web_b + reverse("employer_portal:import_job", args=[company.pk, job.pk]), timeout=30
    )
    job.refresh_from_db()
    assert job.valid_count == IMPORT_ROWS and summary.status_code == 200
    assert "salariés validés" in summary.text
    workers_logs = processes.log("worker-a") + processes.log("worker-b")
    assert "run_import_job" in workers_logs

    # 4. The reminder job run by both workers at the same time sends each e-mail once.
    due = timezone.now() - dt.timedelta(days=8)
    enrolments = EnrolmentFactory.create_batch(
        REMINDED, invited=True, employee__company=company, group=group
    )
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(
        invited_at=due, expires_at=due + dt.timedelta(days=60), status=EnrolmentStatus.INVITED
    )
    from enrolment.tasks import send_due_reminders

    # An explicit connection: the app's producer pool may have been made by an earlier
    # test for another broker, and changing ``broker_url`` does not rebuild it.
    with celery_app.connection_for_write(cluster["broker"]) as connection:
        for worker in ("worker-a", "worker-b"):
            send_due_reminders.apply_async(queue=worker, connection=connection)
    reminders = OutboxMessage.objects.filter(key__startswith="reminder:")

    def delivered():
        ran = all(
            re.search(r"send_due_reminders\[[^\]]+\] succeeded", processes.log(worker))
            for worker in ("worker-a", "worker-b")
        )
        return ran and reminders.filter(status=MessageStatus.SENT).count() >= REMINDED

    processes.wait_for(delivered, "both workers to run the reminder job", timeout=60)
    assert reminders.count() == REMINDED
    assert set(reminders.values_list("attempts", flat=True)) == {1}
    mail = "\n".join(p.read_text() for p in cluster["mail"].glob("*.log"))
    for enrolment in enrolments:
        assert mail.count(f"To: {enrolment.employee.email}") == 1, enrolment.employee.email

    # Beat stays up beside them (one only: two would queue every periodic job twice).
    assert "beat: Starting" in processes.log("beat")
    processes.check_alive()
    # The access lines of the web processes carry request ids.
    assert re.search(r"gunicorn\.access request_id=[0-9a-f]{32} ", processes.log("web-b"))
