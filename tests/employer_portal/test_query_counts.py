"""Every list and detail page of the employer space answers in a fixed number of
queries: the same with one row as with many (no query per row)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, Relationship, RequestType
from enrolment.models import Beneficiary, Request
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import (
    CompanyFactory,
    ContractFactory,
    CorrespondentAccessFactory,
    InsuredGroupFactory,
    OfferFactory,
)

pytestmark = pytest.mark.django_db

ROWS = [1, 7]
STATUSES = [
    EnrolmentStatus.INVITED,
    EnrolmentStatus.IN_PROGRESS,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.SIGNED,
    EnrolmentStatus.PRE_AFFILIATED,
    EnrolmentStatus.DISPENSED,
    EnrolmentStatus.PORTABILITY,
]


def url(name, company, *args):
    return reverse(f"employer_portal:{name}", args=[company.pk, *args])


def enrolments(group, rows: int) -> list:
    """``rows`` enrolments in every state the pages show, each with its request."""
    made = []
    for n in range(rows):
        status = STATUSES[n % len(STATUSES)]
        made.append(
            EnrolmentFactory(
                group=group,
                employee__company=group.contract.company,
                status=status,
                invited_at=timezone.now(),
                expires_at=timezone.now() + dt.timedelta(days=30),
            )
        )
    return made


def setup_companies(access, group, rows):
    # With a single company the list redirects to it: at least two here.
    for _ in range(rows):
        CorrespondentAccessFactory(user=access.user)
    return reverse("employer_portal:companies")


def setup_home(access, group, rows):
    enrolments(group, rows)
    return url("home", access.company)


def setup_company(access, group, rows):
    for n in range(rows - 1):
        other = InsuredGroupFactory(contract__company=access.company, name=f"Groupe {n}")
        OfferFactory(group=other)
    OfferFactory(group=group)
    return url("company", access.company)


def setup_requests(access, group, rows):
    enrolments(group, rows)
    return url("requests", access.company)


def setup_request_detail(access, group, rows):
    (enrolment,) = enrolments(group, 1)
    request = Request.objects.get(enrolment=enrolment, type=RequestType.AFFILIATION)
    for n in range(rows):
        request.move_to(request.status, label=f"Étape {n}")
    return url("request_detail", access.company, request.pk)


def setup_employees(access, group, rows):
    enrolments(group, rows)
    return url("employees", access.company)


def setup_employee_detail(access, group, rows):
    enrolment = EnrolmentFactory(
        group=group, employee__company=access.company, status=EnrolmentStatus.ACTIVE
    )
    for n in range(rows):
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility="M",
            first_name=f"Enfant {n}",
            last_name="Durand",
            birth_date=dt.date(2015, 1, 1 + n),
        )
    return url("employee_detail", access.company, enrolment.pk)


def setup_documents(access, group, rows):
    OfferFactory(group=group)
    for n in range(rows - 1):
        contract = ContractFactory(company=access.company, number=f"CS-2025-{n:05d}")
        OfferFactory(group=InsuredGroupFactory(contract=contract, name=f"Groupe {n}"))
    return url("documents", access.company)


# page: (setup, exact number of queries of the second visit)
PAGES = {
    "companies": (setup_companies, 3),
    # Its counters were counted by the first visit, then cached (enrolment.counts).
    "home": (setup_home, 6),
    "company": (setup_company, 4),
    "requests": (setup_requests, 7),
    "request_detail": (setup_request_detail, 6),
    "employees": (setup_employees, 7),
    "employee_detail": (setup_employee_detail, 8),
    "documents": (setup_documents, 5),
}


@pytest.fixture
def access(db):
    access = CorrespondentAccessFactory(company=CompanyFactory())
    return access


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_rows(client, access, page, rows, django_assert_num_queries):
    setup, expected = PAGES[page]
    group = InsuredGroupFactory(contract__company=access.company, name="Cadres")
    target = setup(access, group, rows)
    client.force_login(access.user)
    assert client.get(target).status_code == 200  # warm: session, content types
    with django_assert_num_queries(expected):
        response = client.get(target)
    assert response.status_code == 200
