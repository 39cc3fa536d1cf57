"""``make bench`` figures of member requests and contributions.

- ``prelevements_10k_s``: building the pain.008 file (sepaxml, XSD-validated) of 10,000
  instalments due the same day, each member's mandate made at validation (target < 10 s).
- ``demandes_adherent_page_queries``: queries of « Mes demandes » for a member with
  the affiliation and 30 requests with history and documents (target ≤ 10); the same
  count with one request is checked.
"""

import datetime as dt
import io
import time
from decimal import Decimal

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions.models import Instalment
from contributions.services import debit_batch_build
from enrolment.enums import BankAccountPurpose, Civility, EnrolmentStatus, RequestType
from enrolment.models import BankAccount, Employee, Enrolment, Request
from member_requests.bank import initial_mandate_row
from member_requests.models import SepaMandate
from member_requests.services import member_request_ask_complement, member_request_submit
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.models import Company, Contract, InsuredGroup, Offer, User

TOTAL = 10_000
COLLECTION = dt.date(2026, 6, 10)


def _pdf() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _contract(suffix: str, siret: str):
    company = Company.objects.create(legal_name=f"Bench Cotisations {suffix}", siret=siret)
    contract = Contract.objects.create(
        company=company,
        number=f"BENCH-C{suffix}",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Tous")
    offer = Offer.objects.create(
        contract=contract,
        group=group,
        level=CoverageLevel.BASE_OPT1,
        member_monthly_cost=Decimal("12.40"),
    )
    return company, contract, group, offer


def _enrolments(count: int, *, suffix: str, siret: str) -> list[Enrolment]:
    company, contract, group, offer = _contract(suffix, siret)
    employees = Employee.objects.bulk_create(
        [
            Employee(
                company=company,
                civility=Civility.MR,
                first_name="Jean",
                last_name=f"Prelevement{i}",
                birth_date=dt.date(1980, 1, 1),
                hire_date=dt.date(2024, 1, 1),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                employee=e,
                contract=contract,
                group=group,
                offer=offer,
                status=EnrolmentStatus.ACTIVE,
                effective_date=dt.date(2024, 1, 1),
                debit_frequency="mensuelle",
                debit_day=10,
                sepa_mandate_reference=f"RUM-BENCH-{suffix}-{i}",
            )
            for i, e in enumerate(employees)
        ],
        batch_size=2000,
    )
    BankAccount.objects.bulk_create(
        [
            BankAccount(
                enrolment=e,
                purpose=BankAccountPurpose.CONTRIBUTIONS,
                holder=f"Jean Prelevement{i}",
                iban="FR7630006000011234567890189",
                bic="AGRIFRPP",
            )
            for i, e in enumerate(enrolments)
        ],
        batch_size=2000,
    )
    # The form's mandate, as the validation makes it (``initial_mandate``), in bulk.
    SepaMandate.objects.bulk_create(
        [
            initial_mandate_row(e)
            for e in Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).prefetch_related(
                "bank_accounts"
            )
        ],
        batch_size=2000,
    )
    return enrolments


def prelevements_10k() -> dict:
    enrolments = _enrolments(TOTAL, suffix="P", siret="44306184100054")
    Instalment.objects.bulk_create(
        [
            Instalment(
                enrolment=e,
                due_date=COLLECTION,
                period_start=COLLECTION.replace(day=1),
                period_end=dt.date(2026, 6, 30),
                amount=Decimal("12.40") + Decimal(i % 7) / 100,
            )
            for i, e in enumerate(enrolments)
        ],
        batch_size=2000,
    )
    start = time.perf_counter()
    batch = debit_batch_build(collection_date=COLLECTION)
    elapsed = time.perf_counter() - start
    expected = sum(Instalment.objects.filter(batch=batch).values_list("amount", flat=True))
    if batch.count != TOTAL or batch.total != expected:
        raise AssertionError(f"unexpected batch {batch.count} / {batch.total}")
    return {"prelevements_10k_s": elapsed}


def _page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("member_portal:requests"))
    if response.status_code != 200:
        raise AssertionError(f"« Mes demandes » answered {response.status_code}")
    return len(queries)


def demandes_adherent_page() -> dict:
    (enrolment,) = _enrolments(1, suffix="D", siret="73282932000082")
    user = User.objects.create_user(username="bench-demandes", email="bench-demandes@example.fr")
    employee = enrolment.employee
    employee.user = user
    employee.save(update_fields=["user"])
    Request.objects.create(
        company=employee.company,
        employee=employee,
        enrolment=enrolment,
        type=RequestType.AFFILIATION,
    )
    staff = User.objects.create_user(username="bench-staff", is_staff=True)
    pdf = _pdf()

    def add_request():
        member_request = member_request_submit(
            enrolment=enrolment,
            kind="autre",
            by=user,
            message="Question",
            documents=[("RIB", SimpleUploadedFile("rib.pdf", pdf, "application/pdf"))],
        )
        member_request_ask_complement(member_request=member_request, by=staff, message="RIB ?")

    client = Client()
    client.force_login(user)
    add_request()
    one = _page_queries(client)
    for _ in range(29):
        add_request()
    many = _page_queries(client)
    if one != many:
        raise AssertionError(f"« Mes demandes »: {one} queries for 1 request, {many} for 30")
    return {"demandes_adherent_page_queries": many}


BENCHMARKS = [prelevements_10k, demandes_adherent_page]
