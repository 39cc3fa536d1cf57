"""What each beneficiary already consumed of each limited guarantee (allowances and
counts per period), loaded once for a whole batch of lines and kept up to date in
memory while the batch is computed."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from benefits.models import ReimbursementLine
from benefits.rules import ZERO, Computation, Settlement, Usage, period_window, row_has_limits
from benefits.rules import share_compute as rule_share_compute

# The longest period of any grid row (hearing aids: four years) plus a margin.
LOOKBACK = dt.timedelta(days=4 * 366 + 1)

Key = tuple[int, int | None, str]  # enrolment, beneficiary (None: the member), act code


class UsageLedger:
    def __init__(self) -> None:
        self._entries: dict[Key, list[tuple[dt.date, Decimal, int]]] = defaultdict(list)

    @classmethod
    def load(cls, *, enrolment_ids, act_codes, since: dt.date) -> "UsageLedger":
        """Past lines of these enrolments for these (limited) act codes."""
        ledger = cls()
        enrolment_ids = list(enrolment_ids)
        if not act_codes:
            return ledger
        for start in range(0, len(enrolment_ids), 5000):
            rows = ReimbursementLine.objects.filter(
                enrolment_id__in=enrolment_ids[start : start + 5000],
                act_code__in=list(act_codes),
                care_date__gte=since - LOOKBACK,
            ).values_list(
                "enrolment_id",
                "beneficiary_id",
                "act_code",
                "care_date",
                "mutuelle_share",
                "counted_quantity",
            )
            for enrolment_id, beneficiary_id, code, care_date, share, counted in rows:
                ledger._entries[(enrolment_id, beneficiary_id, code)].append(
                    (care_date, share, counted)
                )
        return ledger

    def usage(self, *, key: Key, row, care_date: dt.date) -> Usage:
        if not row_has_limits(row):
            return Usage()
        start, end = period_window(row.period, care_date)
        amount, count = ZERO, 0
        for day, share, counted in self._entries.get(key, ()):
            if start <= day <= end:
                amount += share
                count += counted
        return Usage(amount=amount, count=count)

    def record(self, *, key: Key, care_date: dt.date, computation: Computation) -> None:
        self._entries[key].append((care_date, computation.mutuelle, computation.counted))

    def compute(self, *, key: Key, row, settlement: Settlement) -> Computation:
        """The share of one line given what was consumed before, then consume it."""
        usage = self.usage(key=key, row=row, care_date=settlement.care_date)
        computation = rule_share_compute(row=row, settlement=settlement, usage=usage)
        self.record(key=key, care_date=settlement.care_date, computation=computation)
        return computation
