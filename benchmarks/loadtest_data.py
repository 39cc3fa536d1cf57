"""The company of ``make loadtest``: 10,000 employees in every situation, their
affiliation requests, one correspondent and one member with a password.

Built in bulk and idempotently: a second run finds the company (by its SIRET) and only
resets the two passwords, so the load test can reuse a database between runs.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from enrolment.counts import enrolments_changed
from enrolment.enums import REQUEST_STATUS_OF_ENROLMENT, EnrolmentStatus, RequestType
from enrolment.models import Employee, Enrolment, Request
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.models import Company, Contract, CorrespondentAccess, InsuredGroup, Offer, User

from .employer import FIRST_NAMES, LAST_NAMES

SIREN = "90000000" + luhn.calc_check_digit("90000000")
SIRET = SIREN + "0001" + luhn.calc_check_digit(SIREN + "0001")
CORRESPONDENT_EMAIL = "rh-charge@example.fr"
MEMBER_EMAIL = "adherent-charge@example.fr"
# The mix of « Mes collaborateurs »: mostly affiliated, every other situation present.
STATUSES = [
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.INVITED,
    EnrolmentStatus.IN_PROGRESS,
    EnrolmentStatus.SIGNED,
    EnrolmentStatus.DISPENSED,
    EnrolmentStatus.PORTABILITY,
    EnrolmentStatus.TERMINATED,
]


@dataclass(frozen=True)
class LoadtestCompany:
    company_id: int
    employees: int
    created: bool


def loadtest_company_ensure(*, employees: int, password: str) -> LoadtestCompany:
    """The company with ``employees`` employees (created once), and both accounts'
    password set to ``password``."""
    with transaction.atomic():
        company = Company.objects.filter(siret=SIRET).first()
        created = company is None
        if created:
            company = _create(employees)
        for email in (CORRESPONDENT_EMAIL, MEMBER_EMAIL):
            user = User.objects.get(email=email)
            user.set_password(password)
            user.save(update_fields=["password"])
    if created:
        _analyze()
    count = Employee.objects.filter(company=company).count()
    return LoadtestCompany(company_id=company.pk, employees=count, created=created)


def _analyze() -> None:
    """Refresh the planner's statistics of the whole database just filled. PostgreSQL's
    autovacuum would do it within a minute or two; until then it plans for the empty
    tables it last sampled (nested loops over 10,000 rows: 75 ms for a page of « Mes
    demandes » instead of 0.5 ms), and the load test starts seconds after the bulk
    insert. Every table, not only the four filled: the company's one contract is below
    autovacuum's threshold (50 changed rows) and, never sampled, was taken for one of
    ~200 contracts — the name search then probed the 10,000 employees one by one
    (34 ms a count) instead of reading the trigram index (5.7 ms). A production
    database has more contracts than that threshold. SQLite keeps no statistics until
    told to (``sqlite_stat1``)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _create(count: int) -> Company:
    company = Company.objects.create(
        legal_name="Charge & Fils SAS", siret=SIRET, postal_code="69002"
    )
    contract = Contract.objects.create(
        company=company,
        number="CS-CHARGE-0001",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Non-cadres")
    offer = Offer.objects.create(contract=contract, group=group, level=CoverageLevel.BASE)
    rng = random.Random(2026)  # noqa: S311 - generated names, not secrets
    member_user = User.objects.create_user(username="adherent-charge", email=MEMBER_EMAIL)
    people = Employee.objects.bulk_create(
        [
            Employee(
                company=company,
                user=member_user if i == 0 else None,
                civility="M" if i % 2 else "MME",
                first_name=rng.choice(FIRST_NAMES),
                last_name=f"{rng.choice(LAST_NAMES)}{i:05d}",
                birth_date=dt.date(1965 + i % 35, 1 + i % 12, 1 + i % 28),
                hire_date=dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500),
                email=MEMBER_EMAIL if i == 0 else f"salarie{i}@charge.example.fr",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                employee=employee,
                contract=contract,
                group=group,
                offer=offer,
                status=EnrolmentStatus.ACTIVE if i == 0 else STATUSES[i % len(STATUSES)],
                effective_date=dt.date(2024, 1, 1),
                invited_at=now - dt.timedelta(days=i % 50),
                expires_at=now + dt.timedelta(days=60 - i % 50),
            )
            for i, employee in enumerate(people)
        ],
        batch_size=2000,
    )
    # bulk_create sends no post_save: counts cached for this contract id (a database
    # dropped and rebuilt reuses it) are dropped here.
    enrolments_changed([contract.pk])
    Request.objects.bulk_create(
        [
            Request(
                company=company,
                employee=enrolment.employee,
                enrolment=enrolment,
                type=RequestType.AFFILIATION,
                status=REQUEST_STATUS_OF_ENROLMENT[enrolment.status],
            )
            for enrolment in enrolments
        ],
        batch_size=2000,
    )
    correspondent = User.objects.create_user(username="rh-charge", email=CORRESPONDENT_EMAIL)
    CorrespondentAccess.objects.create(user=correspondent, company=company)
    return company
