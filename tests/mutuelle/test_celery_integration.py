"""A real Celery worker, through Redis, delivers what the portal queues.

Needs ``REDIS_URL`` and a database the worker process can open (PostgreSQL in CI; an
in-memory SQLite test database cannot be shared). Skipped locally without them, never
in CI (``CI=true``): there, a missing service is a failure.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from mutuelle.celery import app as celery_app
from mutuelle.enums import Channel, MessageStatus
from mutuelle.models import OutboxMessage
from mutuelle.notifications import notification_send
from mutuelle.request_context import request_id_var
from mutuelle.tasks import deliver_message
from tests.ops.processes import database_url_for_other_processes, redis_url

pytestmark = pytest.mark.integration


@pytest.fixture(name="redis_url")
def _redis_url() -> str:
    return redis_url()


@pytest.fixture
def worker(redis_url, transactional_db, tmp_path):
    """A ``celery worker -P solo`` on a queue of its own, seeing the test database (rows
    are committed: a transactional test, not a test wrapped in a transaction)."""
    database_url = database_url_for_other_processes()
    queue = f"itest-{uuid.uuid4().hex[:8]}"
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SMS_BACKEND": "mutuelle.sms.OutboxSmsBackend",
        "VAR_DIR": str(tmp_path / "worker-var"),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            celery,
            "-A",
            "mutuelle",
            "worker",
            "-P",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            queue,
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "task_default_queue": celery_app.conf.task_default_queue,
        "broker_url": celery_app.conf.broker_url,
    }
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    celery_app.conf.broker_url = redis_url
    try:
        yield {"process": process, "log": tmp_path / "worker.log"}
    finally:
        celery_app.conf.update(previous)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def _wait_for(message: OutboxMessage, worker, predicate, timeout: float = 60) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if predicate(message):
            return message
        if worker["process"].poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"The worker did not deliver in time. Its log:\n{worker['log'].read_text()}")
    return message


def test_worker_delivers_a_queued_notification(worker):
    message = notification_send(
        key=f"integration:{uuid.uuid4().hex}",
        channel=Channel.SMS,
        to="+33612345678",
        template="signature_code",
        context={"code": "246810", "minutes": 10},
    )
    assert message is not None
    sent = _wait_for(message, worker, lambda m: m.status == MessageStatus.SENT)
    assert sent.attempts == 1 and sent.sent_at is not None
    assert "deliver_message" in worker["log"].read_text()


def test_worker_records_a_failed_delivery_before_retrying(worker):
    # A recipient with a line break is refused by Django's mail layer in the worker.
    message = OutboxMessage.objects.create(
        key=f"integration-failure:{uuid.uuid4().hex}",
        channel=Channel.EMAIL,
        recipient="salarie@example.fr\nBcc: x@example.fr",
        subject="Test",
        body_text="Test",
    )
    deliver_message.delay(message.pk)
    # The first retry is due after a random delay of 0 to 30 s (Celery's full jitter): it
    # may already have run when the test looks, so the first attempt is read in the log,
    # written just after the failure is committed.
    first_failure = f"Outbox message {message.pk} by email failed (attempt 1)"
    failed = _wait_for(
        message,
        worker,
        lambda m: m.status == MessageStatus.FAILED and first_failure in worker["log"].read_text(),
    )
    assert failed.attempts >= 1 and failed.last_error


def test_the_worker_logs_the_request_id_of_the_request_that_queued_the_task(worker):
    token = request_id_var.set("itest-request-0001")
    try:
        message = notification_send(
            key=f"integration-request-id:{uuid.uuid4().hex}",
            channel=Channel.SMS,
            to="+33612345678",
            template="signature_code",
            context={"code": "246810", "minutes": 10},
        )
    finally:
        request_id_var.reset(token)
    _wait_for(message, worker, lambda m: m.status == MessageStatus.SENT)
    lines = worker["log"].read_text().splitlines()
    delivered = [line for line in lines if f"Outbox message {message.pk} sent by sms" in line]
    assert delivered and "request_id=itest-request-0001" in delivered[0], lines


def test_the_sweeper_requeues_a_message_the_broker_lost(worker):
    """Issue 12, item 4: a pending message whose queued delivery was lost (never reached
    the worker) is delivered by the worker once the sweeper queues it again."""
    from datetime import timedelta

    from django.utils import timezone

    from mutuelle.tasks import requeue_pending_messages

    message = OutboxMessage.objects.create(
        key=f"integration-lost:{uuid.uuid4().hex}",
        channel=Channel.SMS,
        recipient="+33612345678",
        body_text="Message perdu par la file",
        queued_at=timezone.now() - timedelta(hours=1),
    )
    assert requeue_pending_messages() == 1
    sent = _wait_for(message, worker, lambda m: m.status == MessageStatus.SENT)
    assert sent.attempts == 1
    assert requeue_pending_messages() == 0
