"""``make bench`` figures of the member's card and documents.

``carte_pdf_ms``: median time to render the card PDF (member, spouse, three children,
QR code) with WeasyPrint. ``documents_page_queries`` and ``documents_page_queries_1``:
SQL queries of « Mes documents » for a member with 300 documents and with one (the page
must not grow with the documents).
"""

import datetime as dt
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrolment.enums import Civility, EnrolmentStatus, MemberDocumentKind, Relationship
from enrolment.models import Beneficiary, Employee, Enrolment
from enrolment.services.card import card_pdf, member_card_issue
from enrolment.services.member_documents import member_document_add
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.models import Company, Contract, InsuredGroup, Offer, User

RUNS = 10
DOCUMENTS = 300


def _member(n: int, *, siret: str) -> Enrolment:
    company = Company.objects.create(legal_name=f"Carte Bench {n} SAS", siret=siret)
    contract = Contract.objects.create(
        company=company,
        number=f"CARD-BENCH-{n}",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Tous")
    offer = Offer.objects.create(contract=contract, group=group, level=CoverageLevel.BASE)
    user = User.objects.create_user(username=f"card-bench-{n}", email=f"card{n}@example.fr")
    employee = Employee.objects.create(
        company=company,
        user=user,
        civility=Civility.MRS,
        first_name="Alice",
        last_name="Mesure",
        birth_date=dt.date(1985, 4, 2),
        hire_date=dt.date(2024, 1, 1),
        nir="285047511234560",
    )
    enrolment = Enrolment.objects.create(
        employee=employee,
        contract=contract,
        group=group,
        offer=offer,
        status=EnrolmentStatus.ACTIVE,
        effective_date=dt.date(2024, 1, 1),
    )
    Beneficiary.objects.create(
        enrolment=enrolment,
        relationship=Relationship.SPOUSE,
        civility=Civility.MR,
        first_name="Bruno",
        last_name="Mesure",
        birth_date=dt.date(1984, 1, 1),
        attached_to_member_nir=True,
    )
    for rank in (1, 2, 3):
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility=Civility.MR,
            first_name=f"Enfant{rank}",
            last_name="Mesure",
            birth_date=dt.date(2015, 6, 1),
            twin_rank=rank,
            attached_to_member_nir=True,
        )
    return enrolment


def card_pdf_time() -> dict[str, float]:
    card = member_card_issue(enrolment=_member(1, siret="72070819700010"))
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        pdf = card_pdf(card)
        timings.append(time.perf_counter() - started)
        assert pdf.startswith(b"%PDF")
    return {"carte_pdf_ms": statistics.median(timings) * 1000}


def _page_queries(enrolment: Enrolment) -> int:
    client = Client()
    client.force_login(enrolment.employee.user)
    client.get(reverse("member_portal:documents"))  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("member_portal:documents"))
    assert response.status_code == 200, response.status_code
    return len(queries)


def documents_page_queries() -> dict[str, int]:
    many = _member(2, siret="72078738100014")
    for n in range(DOCUMENTS):
        member_document_add(
            enrolment=many,
            kind=MemberDocumentKind.OTHER,
            title=f"Document {n}",
            content=b"%PDF-1.4 bench",
            filename=f"bench-{n}.pdf",
            document_date=dt.date(2020 + n % 7, 1 + n % 12, 1),
        )
    one = _member(3, siret="72086657300010")
    member_document_add(
        enrolment=one,
        kind=MemberDocumentKind.OTHER,
        title="Seul",
        content=b"%PDF",
        filename="a.pdf",
    )
    return {
        "documents_page_queries": _page_queries(many),
        "documents_page_queries_1": _page_queries(one),
    }


BENCHMARKS = [card_pdf_time, documents_page_queries]
