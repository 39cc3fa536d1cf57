"""``make bench`` figures of the enrolment app (see mutuelle/management/commands/bench.py)."""

import datetime as dt
import statistics
import time
from decimal import Decimal

from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrolment.enums import (
    BankAccountPurpose,
    Civility,
    EnrolmentStatus,
    Relationship,
    RequestType,
    SpouseKind,
)
from enrolment.models import BankAccount, Beneficiary, Employee, Enrolment, Request
from enrolment.services.invitation import REMINDER_BATCH_SIZE, reminders_send_due
from enrolment.signature import membership_form as mf
from mutuelle.celery import app as celery_app
from mutuelle.enums import CoverageLevel, DebitFrequency, MessageStatus, ProductLine
from mutuelle.models import Company, Contract, InsuredGroup, Offer, OutboxMessage

PENDING = 100_000
DUE = 10_000


def _populate(now: dt.datetime) -> None:
    """100,000 pending enrolments; 10,000 have a reminder due today (J+7, J+21, J+45),
    the others were reminded by earlier runs or are between two reminder days."""
    company = Company.objects.create(legal_name="Bench SAS", siret="35600000000048")
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


def _nir(body: str) -> str:
    return f"{body}{97 - int(body) % 97:02d}"


def _enrolment_ready_to_sign() -> Enrolment:
    company = Company.objects.create(
        legal_name="Boulangerie Dupont et Fils SAS",
        siret="33592398300019",
        address_number="3",
        address_street="RUE DU FAUBOURG SAINT-ANTOINE",
        postal_code="75011",
        city="PARIS",
    )
    contract = Contract.objects.create(
        company=company,
        number="BENCH-0001",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2026, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Non-cadres")
    offer = Offer.objects.create(
        contract=contract,
        group=group,
        level=CoverageLevel.BASE_OPT1_SUR,
        member_monthly_cost=Decimal("18.35"),
        spouse_monthly_cost=Decimal("41.20"),
        child_monthly_cost=Decimal("22.75"),
    )
    employee = Employee.objects.create(
        company=company,
        civility=Civility.MRS,
        first_name="Émilie",
        last_name="Lefèvre-Château",
        birth_date=dt.date(1988, 6, 14),
        nir=_nir("2880675112345"),
        insurance_fund_code="01 751 0000",
        email="emilie.lefevre@example.fr",
        phone="+33698765432",
        hire_date=dt.date(2025, 9, 1),
        address_number="18",
        address_street="AVENUE DE LA RÉPUBLIQUE",
        postal_code="75011",
        city="PARIS",
    )
    enrolment = Enrolment.objects.create(
        employee=employee,
        contract=contract,
        group=group,
        offer=offer,
        status=EnrolmentStatus.IN_PROGRESS,
        effective_date=dt.date(2026, 1, 1),
        debit_frequency=DebitFrequency.QUARTERLY,
        debit_day=5,
    )
    Beneficiary.objects.create(
        enrolment=enrolment,
        relationship=Relationship.SPOUSE,
        spouse_kind=SpouseKind.PACS,
        civility=Civility.MR,
        first_name="Julien",
        last_name="Martin",
        birth_date=dt.date(1986, 2, 3),
        nir=_nir("1860275098765"),
    )
    for i, birth in enumerate([dt.date(2015, 3, 1), dt.date(2018, 7, 9), dt.date(2018, 7, 9)]):
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility=Civility.MR,
            first_name=f"Enfant {i + 1}",
            last_name="Martin",
            birth_date=birth,
            twin_rank=1 if i < 2 else 2,
            attached_to_member_nir=True,
        )
    BankAccount.objects.create(
        enrolment=enrolment,
        purpose=BankAccountPurpose.BENEFITS,
        holder="Émilie Lefèvre-Château",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    BankAccount.objects.create(
        enrolment=enrolment,
        purpose=BankAccountPurpose.CONTRIBUTIONS,
        holder="Émilie Lefèvre-Château",
        iban="FR1420041010050500013M02606",
        bic="PSSTFRPPPAR",
    )
    return enrolment


def bulletin_pdf_ms() -> dict:
    """Median time to render the membership form PDF (data loaded, 4 beneficiaries,
    mandate included); the first (cold) rendering is reported apart."""
    with transaction.atomic():
        enrolment = mf.load_enrolment(_enrolment_ready_to_sign().pk)
        mf.ensure_mandate_reference(enrolment)
        timings, cpu = [], []
        for _ in range(6):
            start, start_cpu = time.perf_counter(), time.process_time()
            pdf = mf.membership_form_pdf(mf.load_enrolment(enrolment.pk))
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert pdf.startswith(b"%PDF")
        transaction.set_rollback(True)
    return {
        "bulletin_pdf_ms": round(statistics.median(timings[1:]), 1),
        "bulletin_pdf_cold_ms": round(timings[0], 1),
        # CPU time of this process: the wall time above grows on a busy machine.
        "bulletin_pdf_cpu_ms": round(statistics.median(cpu[1:]), 1),
    }


BENCHMARKS = [reminders_100k, bulletin_pdf_ms]
