"""``make bench`` figures of the dispensation jobs (see mutuelle/management/commands/bench.py).

10,000 accepted dispensations; each day a few hundred reach their end date, enter the
30-day notice or owe their yearly proof. The job must not read the others one by one.
"""

import datetime as dt
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispensations.enums import DispensationStatus
from dispensations.models import Dispensation
from dispensations.tasks import dispensations_daily
from enrolment.enums import Civility, EnrolmentStatus, RequestStatus, RequestType
from enrolment.models import Employee, Enrolment, Request
from mutuelle.celery import app as celery_app
from mutuelle.enums import ProductLine
from mutuelle.models import Company, Contract, InsuredGroup

TOTAL = 10_000
DUE_EACH = 100  # ending today, entering the notice, owing the yearly proof


def _populate(today: dt.date) -> None:
    company = Company.objects.create(legal_name="Bench Dispenses SAS", siret="44306184100047")
    contract = Contract.objects.create(
        company=company,
        number="BENCH-D",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
        dispensation_enabled=True,
    )
    group = InsuredGroup.objects.create(contract=contract, name="Tous")
    employees = Employee.objects.bulk_create(
        [
            Employee(
                company=company,
                civility=Civility.MR,
                first_name="Jean",
                last_name=f"Dispense{i}",
                birth_date=dt.date(1990, 1, 1),
                hire_date=dt.date(2024, 1, 1),
                email=f"dispense{i}@example.fr",
            )
            for i in range(TOTAL)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                employee=e,
                contract=contract,
                group=group,
                status=EnrolmentStatus.DISPENSED,
                effective_date=dt.date(2024, 1, 1),
            )
            for e in employees
        ],
        batch_size=2000,
    )
    now = timezone.now()
    requests = []
    for e in enrolments:
        requests += [
            Request(
                company=company,
                employee_id=e.employee_id,
                enrolment=e,
                type=kind,
                status=RequestStatus.CLOSED,
            )
            for kind in (RequestType.AFFILIATION, RequestType.DISPENSATION)
        ]
    requests = Request.objects.bulk_create(requests, batch_size=2000)
    rows = []
    for i, e in enumerate(enrolments):
        # Rows 0..99 end today, 100..199 end in 20 days, 200..299 owe their yearly
        # proof in 10 days; the others are months away from anything.
        end_date, case, rejustify_by = today + dt.timedelta(days=200), "individual_contract", None
        if i < DUE_EACH:
            end_date = today
        elif i < 2 * DUE_EACH:
            end_date = today + dt.timedelta(days=20)
        elif i < 3 * DUE_EACH or i % 2 == 0:
            end_date, case = None, "spouse_employer"
            rejustify_by = today + dt.timedelta(days=10 if i < 3 * DUE_EACH else 200)
        rows.append(
            Dispensation(
                enrolment=e,
                request=requests[2 * i + 1],
                case=case,
                status=DispensationStatus.ACCEPTED,
                end_date=end_date,
                hire_date=dt.date(2024, 1, 1),
                sworn_statement_accepted_at=now,
                rejustify_by=rejustify_by,
            )
        )
    Dispensation.objects.bulk_create(rows, batch_size=2000)


def dispensations_daily_10k() -> dict:
    today = timezone.localdate()
    _populate(today)
    celery_app.conf.task_always_eager = True
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        counts = dispensations_daily()
    elapsed = time.perf_counter() - start
    with CaptureQueriesContext(connection) as idle:
        again = dispensations_daily()
    # No dispensation accepted during membership here: none waits for its cover to end.
    expected = dict.fromkeys(counts, DUE_EACH) | {"started": 0}
    if counts != expected or sum(again.values()) != 0:
        raise AssertionError(f"unexpected counts {counts} then {again}")
    return {
        "dispensations_daily_10k_s": elapsed,
        "dispensations_daily_10k_queries_per_item": len(queries) / sum(counts.values()),
        "dispensations_daily_10k_rerun_queries": len(idle),
    }


BENCHMARKS = [dispensations_daily_10k]
