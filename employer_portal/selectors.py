"""Read queries of the company space. Each page's query count stays constant whatever
the number of employees: counters in one aggregate (cached), lists with their joins."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dispensations.enums import DispensationStatus
from dispensations.models import Dispensation
from enrolment.counts import COUNTS_TTL, contract_tokens
from enrolment.enums import (
    BEING_PROCESSED,
    WAITING_FOR_EMPLOYEE,
    EmployeeStatus,
    EnrolmentStatus,
    RequestType,
)
from enrolment.models import Enrolment, Request
from mutuelle.enums import ProductLine
from mutuelle.models import Company, Contract

# Statuses behind each « Mes collaborateurs » status (the reverse of
# EMPLOYEE_STATUS_OF_ENROLMENT, cancelled pre-affiliations left out: they were mistakes).
ENROLMENT_STATUSES_OF_EMPLOYEE_STATUS = {
    EmployeeStatus.ENROLLING: sorted(WAITING_FOR_EMPLOYEE | BEING_PROCESSED),
    EmployeeStatus.ACTIVE: [EnrolmentStatus.ACTIVE],
    EmployeeStatus.DISPENSED: [EnrolmentStatus.DISPENSED],
    EmployeeStatus.TERMINATED: [EnrolmentStatus.TERMINATED, EnrolmentStatus.EXPIRED],
    EmployeeStatus.PORTABILITY: [EnrolmentStatus.PORTABILITY],
}


def company_counters(
    company: Company, contracts: Iterable[Contract] | None = None
) -> dict[str, int]:
    """Employees per situation, in one aggregate query, cached until one of the
    enrolments it counts is written (:mod:`enrolment.counts`): the home page of a
    10,000-employee company read them all on each visit.

    The company's enrolments are found through its health contracts (``contracts``: the
    company's contracts when the page has them already), from the (contract, status,
    employee) index alone: going through the employees would read all of them. They
    follow the health contract's workflow: a prévoyance affiliation (compulsory, in
    force at once) would count an employee still invited to the health contract as
    affiliated."""
    if contracts is None:
        contracts = company.contracts.all()
    health = [c.pk for c in contracts if c.product_line == ProductLine.HEALTH]
    distinct = {"distinct": True}
    return cache.get_or_set(
        company_counters_key(company, health),
        lambda: Enrolment.objects.filter(contract__in=health).aggregate(
            affiliated=Count("employee", filter=Q(status=EnrolmentStatus.ACTIVE), **distinct),
            waiting=Count("employee", filter=Q(status__in=WAITING_FOR_EMPLOYEE), **distinct),
            processing=Count("employee", filter=Q(status__in=BEING_PROCESSED), **distinct),
            dispensed=Count("employee", filter=Q(status=EnrolmentStatus.DISPENSED), **distinct),
            portability=Count("employee", filter=Q(status=EnrolmentStatus.PORTABILITY), **distinct),
        ),
        COUNTS_TTL,
    )


def company_counters_key(company: Company, health_contract_ids: list[int]) -> str:
    return f"company-counters:{company.pk}:{contract_tokens(health_contract_ids)}"


def company_requests(company: Company) -> QuerySet[Request]:
    return (
        Request.objects.filter(company=company)
        .select_related("employee", "enrolment")
        .order_by("-created_at", "-id")
    )


def company_enrolments(company: Company) -> QuerySet[Enrolment]:
    """« Mes collaborateurs »: one row per enrolment, cancelled mistakes left out.

    Found through the employees (not the contracts, as the counters): the page then
    walks the (company, last name, first name) index in order and stops at its rows."""
    return (
        Enrolment.objects.filter(employee__company=company)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("employee", "contract", "group", "offer")
        .order_by("employee__name_key", "employee_id", "-id")
    )


def company_enrolments_to_count(company: Company) -> QuerySet[Enrolment]:
    """The rows of :func:`company_enrolments`, found through the company's contracts
    (as the counters): counting them reads the partial index of listed enrolments
    alone (``enrolment_listed_by_contract``, an index-only scan on PostgreSQL), where
    the list's own query joins every employee of the company to sort.
    An employee enrols on their own company's contracts, so both give the same rows."""
    return Enrolment.objects.filter(contract__company=company).exclude(
        status=EnrolmentStatus.CANCELLED
    )


def employee_contracts(company: Company, enrolment_id: int) -> QuerySet[Enrolment]:
    """The employee of enrolment ``enrolment_id`` with every contract they have in the
    company — health and prévoyance — in the one query the employee's page makes."""
    return (
        company_enrolments(company)
        .filter(employee__enrolments__pk=enrolment_id)
        .order_by("contract__product_line", "-effective_date", "-id")
    )


def request_list_rows(company: Company) -> QuerySet[Request]:
    """The columns « Mes demandes » shows: no encrypted NIR to decrypt per row."""
    return company_requests(company).only(
        "id",
        "type",
        "status",
        "created_at",
        "employee__first_name",
        "employee__last_name",
        "employee__email",
        "enrolment__status",
        "enrolment__expires_at",
    )


def enrolment_list_rows(company: Company) -> QuerySet[Enrolment]:
    """The columns « Mes collaborateurs » shows; an active employee whose cover ends on a
    scheduled date says whether a termination or a dispensation ends it."""
    dispensed_during_membership = Dispensation.objects.filter(
        enrolment=OuterRef("pk"), status=DispensationStatus.ACCEPTED, during_membership=True
    )
    return (
        company_enrolments(company)
        .annotate(ends_by_dispensation=Exists(dispensed_during_membership))
        .select_related(None)
        .select_related("employee", "contract")
        .only(
            "id",
            "imported_member_number",
            "status",
            "effective_date",
            "end_date",
            "employee__first_name",
            "employee__last_name",
            "contract__number",
            "contract__product_line",
        )
    )


def dispensation_enabled(company: Company) -> bool:
    return company.contracts.filter(dispensation_enabled=True).exists()


def request_type_choices(*, dispensation: bool) -> list[tuple[str, str, bool]]:
    """(value, label, enabled): the Dispense filter is always shown, but only usable by
    companies whose contract has online dispensation (``dispensation``, see
    :func:`dispensation_enabled`)."""
    return [
        (value, label, value != RequestType.DISPENSATION or dispensation)
        for value, label in RequestType.choices
    ]
