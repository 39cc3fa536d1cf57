"""``make bench`` figures of reimbursements (issue 9).

- ``ss_import_100k_s``: a Sécurité sociale file of 100,000 lines for 2,000 members
  (matching, grid rows, allowances and counts, the rule, one transaction).
- ``remboursements_page_queries`` / ``remboursements_page_ms``: « Mes remboursements »
  of a member with 2,000 lines (SQL queries; median of 20 requests).
- ``releve_pdf_ms``: a monthly relevé de prestations of 40 lines, as a PDF.
"""

import datetime as dt
import statistics
import time
from decimal import Decimal

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benefits.models import ReimbursementLine
from benefits.selectors import member_people
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.services.statements import statement_pdf
from benefits.settlement_files import build_csv
from demo.grids import demo_grid_seed
from enrolment.enums import Civility, EnrolmentStatus
from enrolment.models import Employee, Enrolment
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.fields import keyed_hash
from mutuelle.models import Company, Contract, InsuredGroup, Offer, User

MEMBERS = 2_000
LINES = 100_000
HEAVY_MEMBER_LINES = 2_000
ACTS = [
    ("CONSULT_GEN", "OPTAM", "30.00", "30.00", 70, "19.00", "2.00"),
    ("CONSULT_SPE", "NON_OPTAM", "80.00", "30.00", 70, "19.00", "2.00"),
    ("PHARMACIE", "", "23.57", "23.57", 65, "15.32", "0.00"),
    ("MEDECINES_DOUCES", "", "60.00", "0.00", 0, "0.00", "0.00"),
    ("DENTAIRE_SOINS", "", "56.00", "40.00", 70, "28.00", "0.00"),
    ("OPTIQUE_ADULTE", "", "420.00", "0.09", 60, "0.05", "0.00"),
]


def _nir(n: int) -> str:
    body = f"1850775{n % 1000:03d}{n // 1000:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def _populate():
    company = Company.objects.create(legal_name="Bench Remboursements SAS", siret="73282932000074")
    contract = Contract.objects.create(
        company=company,
        number="BENCH-R",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Tous")
    offer = Offer.objects.create(contract=contract, group=group, level=CoverageLevel.BASE_OPT1)
    demo_grid_seed(offer=offer)
    user = User.objects.create(username="bench-remb", email="bench-remb@example.fr")
    employees = Employee.objects.bulk_create(
        [
            Employee(
                company=company,
                user=user if i == 0 else None,
                civility=Civility.MR,
                first_name="Jean",
                last_name=f"Rembourse{i}",
                birth_date=dt.date(1985, 7, 1),
                hire_date=dt.date(2024, 1, 1),
                nir=_nir(i),
                nir_hash=keyed_hash(_nir(i)),
            )
            for i in range(MEMBERS)
        ],
        batch_size=1000,
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
            )
            for e in employees
        ],
        batch_size=1000,
    )
    return user, enrolments


def _rows(enrolments) -> list[dict]:
    rows = []
    per_member = (LINES - HEAVY_MEMBER_LINES) // (MEMBERS - 1)
    for index, enrolment in enumerate(enrolments):
        count = HEAVY_MEMBER_LINES if index == 0 else per_member
        if index == len(enrolments) - 1:
            count = LINES - len(rows)
        for n in range(count):
            code, sector, fr, br, rate, ro, pf = ACTS[n % len(ACTS)]
            rows.append(
                {
                    "reference": f"B{index:05d}-{n:05d}",
                    "numero_adherent": enrolment.member_number,
                    "nir_beneficiaire": _nir(index),
                    "date_naissance_beneficiaire": dt.date(1985, 7, 1),
                    "date_soins": dt.date(2024, 1, 1) + dt.timedelta(days=(n * 7) % 690),
                    "code_acte": code,
                    "secteur": sector,
                    "quantite": 1,
                    "frais_reels": Decimal(fr),
                    "base_remboursement": Decimal(br),
                    "taux_ro": rate,
                    "montant_ro": Decimal(ro),
                    "participation_forfaitaire": Decimal(pf),
                    "tiers_payant": code == "PHARMACIE",
                    "professionnel": "Pharmacie du Marché" if code == "PHARMACIE" else "",
                }
            )
    return rows


def reimbursements() -> dict:
    user, enrolments = _populate()
    content = build_csv(_rows(enrolments))
    started = time.perf_counter()
    job = settlement_import_run(
        settlement_import=settlement_import_create(content=content, filename="bench.csv")
    )
    import_s = time.perf_counter() - started
    assert job.imported_count == LINES, (job.imported_count, job.rejected_count)

    client = Client()
    client.force_login(user)
    url = reverse("member_portal:reimbursements")
    client.get(url)
    # The query log is a bounded deque, full after the import: empty it so that the
    # captured slice is this request's queries.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    page_queries = len(queries)
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)

    enrolment = enrolments[0]
    lines = list(ReimbursementLine.objects.filter(enrolment=enrolment).order_by("care_date")[:40])
    people = member_people(enrolment)
    statement_pdf(enrolment=enrolment, title="Relevé", lines=lines, people=people)  # fonts
    pdf_timings = []
    for _ in range(5):
        started = time.perf_counter()
        statement_pdf(enrolment=enrolment, title="Relevé", lines=lines, people=people)
        pdf_timings.append((time.perf_counter() - started) * 1000)
    return {
        "ss_import_100k_s": import_s,
        "remboursements_page_queries": page_queries,
        "remboursements_page_ms": statistics.median(timings),
        "releve_pdf_ms": statistics.median(pdf_timings),
    }


BENCHMARKS = [reimbursements]
