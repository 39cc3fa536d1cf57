"""The contribution schedule (échéancier): one instalment per period of the member's
debit frequency, due on their debit day, from the offer's monthly prices and the
beneficiaries covered over time.

A month is due in full for the member and for each beneficiary covered on any day of
it (a started month is due, as the contract's monthly prices are not pro-rated); the
part debited from the employee follows the contract (the wizard's rule,
``offer_costs``).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from enrolment.enums import Relationship
from enrolment.models import Beneficiary, Enrolment
from enrolment.services.wizard import offer_costs
from mutuelle.enums import DebitFrequency

MONTHS_PER_PERIOD = {
    DebitFrequency.MONTHLY: 1,
    DebitFrequency.QUARTERLY: 3,
    DebitFrequency.HALF_YEARLY: 6,
    DebitFrequency.ANNUAL: 12,
}


@dataclass(frozen=True)
class ScheduleLine:
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    amount: Decimal


def _overlaps(start: dt.date | None, end: dt.date | None, first: dt.date, last: dt.date) -> bool:
    return (start is None or start <= last) and (end is None or end >= first)


def member_covered_until(enrolment: Enrolment) -> dt.date | None:
    return enrolment.end_date


def month_amount(enrolment: Enrolment, beneficiaries: list[Beneficiary], month: dt.date) -> Decimal:
    """What is debited for one calendar month (``month`` is its first day)."""
    last = month + relativedelta(months=1, days=-1)
    if enrolment.offer is None or not _overlaps(
        enrolment.effective_date, member_covered_until(enrolment), month, last
    ):
        return Decimal("0.00")
    spouses = children = 0
    for b in beneficiaries:
        start = b.covered_from or enrolment.effective_date
        if _overlaps(start, b.covered_until, month, last):
            if b.relationship == Relationship.SPOUSE:
                spouses += 1
            else:
                children += 1
    return offer_costs(enrolment, enrolment.offer, (spouses, children)).debited


def schedule_lines(
    enrolment: Enrolment, *, start: dt.date, end: dt.date, beneficiaries=None
) -> list[ScheduleLine]:
    """The instalments due from ``start`` to ``end`` (both included), periods aligned
    on the calendar year (a quarter starts in January, April, July or October)."""
    if not (enrolment.debit_frequency and enrolment.debit_day and enrolment.offer_id):
        return []
    if beneficiaries is None:
        beneficiaries = list(enrolment.beneficiaries.all())
    size = MONTHS_PER_PERIOD[enrolment.debit_frequency]
    period = dt.date(start.year, 1, 1)
    lines = []
    while period <= end:
        # The period in which the cover starts is collected on the debit day, or on
        # the effective date when the cover starts after it (no mandate before).
        due = max(period.replace(day=enrolment.debit_day), enrolment.effective_date)
        period_end = period + relativedelta(months=size, days=-1)
        if start <= due <= end:
            amount = sum(
                (
                    month_amount(enrolment, beneficiaries, period + relativedelta(months=i))
                    for i in range(size)
                ),
                Decimal("0.00"),
            )
            if amount > 0:
                lines.append(ScheduleLine(due, period, period_end, amount))
        period += relativedelta(months=size)
    return lines


def year_schedule(enrolment: Enrolment, year: int, *, beneficiaries=None) -> list[ScheduleLine]:
    return schedule_lines(
        enrolment,
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        beneficiaries=beneficiaries,
    )
