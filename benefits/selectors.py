"""Read queries of the member's reimbursement pages: a constant number of queries,
whatever the number of lines (paged list, one aggregate for the year's totals)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from enrolment.models import Enrolment

from .models import ReimbursementLine

MEMBER_KEY = "adherent"  # the member themself in the beneficiary filter


@dataclass(frozen=True)
class Person:
    key: str  # MEMBER_KEY or the beneficiary's id
    name: str
    beneficiary_id: int | None


def member_people(enrolment: Enrolment) -> list[Person]:
    """The member then their beneficiaries (one query for the beneficiaries)."""
    employee = enrolment.employee
    people = [Person(MEMBER_KEY, f"{employee.first_name} {employee.last_name.upper()}", None)]
    for beneficiary in enrolment.beneficiaries.order_by("relationship", "birth_date", "twin_rank"):
        people.append(
            Person(
                str(beneficiary.pk),
                f"{beneficiary.first_name} {beneficiary.last_name.upper()}",
                beneficiary.pk,
            )
        )
    return people


def people_filter(keys) -> Q:
    condition = Q()
    ids = [int(key) for key in keys if key != MEMBER_KEY]
    if ids:
        condition |= Q(beneficiary_id__in=ids)
    if MEMBER_KEY in keys:
        condition |= Q(beneficiary__isnull=True)
    return condition


def member_lines(
    *, enrolment: Enrolment, start: dt.date | None, end: dt.date | None, people_keys=None
):
    """The member's lines, newest care first, optionally within dates and for some people."""
    lines = ReimbursementLine.objects.filter(enrolment=enrolment)
    if start:
        lines = lines.filter(care_date__gte=start)
    if end:
        lines = lines.filter(care_date__lte=end)
    if people_keys:
        lines = lines.filter(people_filter(people_keys))
    return lines.order_by("-care_date", "-id")


@dataclass
class Totals:
    person: Person
    actual_cost: Decimal
    ss_paid: Decimal
    mutuelle_share: Decimal
    out_of_pocket: Decimal


def year_totals(*, enrolment: Enrolment, year: int, people: list[Person]) -> list[Totals]:
    """What was paid, reimbursed and left to pay this year, per person (one query)."""
    sums = {
        row["beneficiary_id"]: row
        for row in ReimbursementLine.objects.filter(enrolment=enrolment, care_date__year=year)
        .values("beneficiary_id")
        .annotate(
            actual_cost=Sum("actual_cost"),
            ss_paid=Sum("ss_paid"),
            mutuelle_share=Sum("mutuelle_share"),
            out_of_pocket=Sum("out_of_pocket"),
        )
        .order_by()
    }
    zero = Decimal("0")
    totals = []
    for person in people:
        row = sums.get(person.beneficiary_id, {})
        totals.append(
            Totals(
                person,
                row.get("actual_cost") or zero,
                row.get("ss_paid") or zero,
                row.get("mutuelle_share") or zero,
                row.get("out_of_pocket") or zero,
            )
        )
    return totals
