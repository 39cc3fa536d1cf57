"""``make bench`` figures of the enrolment app (see mutuelle/management/commands/bench.py)."""

import datetime as dt
import time

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mutuelle.celery import app as celery_app
from mutuelle.enums import MessageStatus, ProductLine
from mutuelle.models import Company, Contract, InsuredGroup, OutboxMessage

from .enums import Civility, EnrolmentStatus, RequestType
from .models import Employee, Enrolment, Request
from .services.invitation import REMINDER_BATCH_SIZE, reminders_send_due

PENDING = 100_000
DUE = 10_000


def _populate(now: dt.datetime) -> None:
    """100,000 pending enrolments; 10,000 have a reminder due today (J+7, J+21, J+45),
    the others were reminded by earlier runs or are between two reminder days."""
    company = Company.objects.create(legal_name="Bench SAS", siret="73282932000074")
    contract = Contract.objects.create(
        company=company,
        number="BENCH-1",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Tous")
    employees = Employee.objects.bulk_create(
        [
            Employee(
                company=company,
                civility=Civility.MRS,
                first_name="Alice",
                last_name=f"Bench{i}",
                birth_date=dt.date(1990, 1, 1),
                hire_date=dt.date(2024, 1, 1),
                email=f"bench{i}@example.fr",
            )
            for i in range(PENDING)
        ],
        batch_size=2000,
    )
    # (age in days, last reminder already sent): the first three rows are due today.
    due_profiles = [(7, 0), (21, 7), (45, 21)]
    quiet_profiles = [(3, 0), (10, 7), (30, 21), (50, 45), (15, 7), (40, 21)]
    enrolments = []
    for i, employee in enumerate(employees):
        if i < DUE:
            age, last = due_profiles[i % len(due_profiles)]
        else:
            age, last = quiet_profiles[i % len(quiet_profiles)]
        invited_at = now - dt.timedelta(days=age, hours=1)
        enrolments.append(
            Enrolment(
                employee=employee,
                contract=contract,
                group=group,
                status=EnrolmentStatus.INVITED,
                effective_date=dt.date(2024, 1, 1),
                invited_at=invited_at,
                expires_at=invited_at + dt.timedelta(days=60),
                last_auto_reminder_day=last,
            )
        )
    enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    Request.objects.bulk_create(
        [
            Request(
                company=company,
                employee_id=e.employee_id,
                enrolment=e,
                type=RequestType.AFFILIATION,
            )
            for e in enrolments
        ],
        batch_size=2000,
    )


def reminders_100k() -> dict:
    now = timezone.now()
    _populate(now)
    celery_app.conf.task_always_eager = True
    mail.outbox = []
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        created = reminders_send_due(now=now)
    elapsed = time.perf_counter() - start
    sent = OutboxMessage.objects.filter(
        key__startswith="reminder:", status=MessageStatus.SENT
    ).count()
    if created != DUE or sent != DUE or len(mail.outbox) != DUE:
        raise AssertionError(
            f"expected {DUE} reminders, got {created} / {sent} / {len(mail.outbox)}"
        )
    # A second run finds nothing due and sends nothing.
    if reminders_send_due(now=now) != 0:
        raise AssertionError("a second run sent reminders again")
    batches = -(-DUE // REMINDER_BATCH_SIZE)
    return {
        "reminders_100k_s": elapsed,
        "reminders_100k_sent": sent,
        "reminders_100k_queries_per_batch": len(queries) / batches,
    }


BENCHMARKS = [reminders_100k]
