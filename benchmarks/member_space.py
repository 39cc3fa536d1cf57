"""``make bench`` figures of the member space (issue 8).

- ``espace_adherent_page_queries``: SQL queries of the member's pages (the landing
  « Mes remboursements », « Mon contrat », « Mes informations personnelles »), the
  highest of them; measured with 1 beneficiary and with 30, and refused (the
  benchmark fails) if any page's count grows with the beneficiaries.
- ``espace_adherent_<page>_queries``: each page's own count.
"""

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrolment.enums import Civility, EnrolmentStatus, Relationship
from enrolment.models import Beneficiary, Employee, Enrolment
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.models import Company, Contract, InsuredGroup, Offer, User

PAGES = {
    "accueil": "member_portal:home",
    "contrat": "member_portal:contract",
    "informations": "member_portal:profile",
}
MANY = 30


def _member() -> Enrolment:
    company = Company.objects.create(
        legal_name="Bench Espace Adhérent SAS", siret="40483304800022", city="PARIS"
    )
    contract = Contract.objects.create(
        company=company,
        number="CS-BENCH-ESPACE",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Cadres")
    offer = Offer.objects.create(
        contract=contract, group=group, level=CoverageLevel.BASE, member_monthly_cost="21.40"
    )
    user = User.objects.create_user(username="adh-bench", email="adh-bench@example.fr")
    employee = Employee.objects.create(
        company=company,
        user=user,
        civility=Civility.MRS,
        first_name="Fatima",
        last_name="Lamine",
        birth_date=dt.date(1984, 2, 3),
        hire_date=dt.date(2020, 9, 1),
        postal_code="75011",
        city="PARIS",
    )
    return Enrolment.objects.create(
        employee=employee,
        contract=contract,
        group=group,
        offer=offer,
        status=EnrolmentStatus.ACTIVE,
        effective_date=dt.date(2024, 1, 1),
    )


def _children(enrolment: Enrolment, count: int, *, start: int = 0) -> None:
    Beneficiary.objects.bulk_create(
        Beneficiary(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility=Civility.MR,
            first_name=f"Enfant{i}",
            last_name="Lamine",
            birth_date=dt.date(2005 + i % 18, 1 + i % 12, 1),
        )
        for i in range(start, start + count)
    )


def _counts(client: Client) -> dict[str, int]:
    counts = {}
    for page, name in PAGES.items():
        url = reverse(name)
        client.get(url, follow=True)  # warm-up
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, follow=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        counts[page] = len(queries)
    return counts


def member_space_pages() -> dict:
    enrolment = _member()
    client = Client()
    client.force_login(enrolment.employee.user)
    _children(enrolment, 1)
    one = _counts(client)
    _children(enrolment, MANY - 1, start=1)
    many = _counts(client)
    if one != many:
        raise RuntimeError(f"Query counts grow with the beneficiaries: {one} → {many}")
    return {
        "espace_adherent_page_queries": max(many.values()),
        **{f"espace_adherent_{page}_queries": count for page, count in many.items()},
    }


BENCHMARKS = [member_space_pages]
