"""Portability of the health cover after the employment contract ends (art. L911-8 CSS).

The one place that states the rule; the termination form, its confirmation page, the
termination services, the back office and the daily jobs read it.

What the law says (art. L911-8 CSS, in force for health cover since 1 June 2014):
- the former employee keeps the company's cover, free of charge, as of right — it is not
  the employer's choice nor, since the law of 14 June 2013, the employee's — when the end
  of the employment contract is not due to a faute lourde and opens a right to
  unemployment insurance benefits;
- for as long as the last employment contract, or the last consecutive contracts with
  the same employer, counted in whole months rounded up, at most 12 months, from the day
  after the contract ends;
- the former employee justifies the unemployment benefits to the insurer at the start
  and during the period; the cover ends early when the benefits stop (new job, end of
  rights, retirement).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .enums import TerminationReason, UnemploymentEligibility

PORTABILITY_MAX_MONTHS = 12

R = TerminationReason
# Ends of contract that can open unemployment insurance benefits (hors faute lourde).
# An ordinary resignation, a trial period ended by the employee, a dismissal for faute
# lourde, retirement and death do not; a démission légitime does.
PORTABILITY_REASONS: frozenset[str] = frozenset(
    {
        R.END_OF_CONTRACT,
        R.EARLY_END_FIXED_TERM,
        R.END_OF_MISSION,
        R.APPRENTICESHIP_END,
        R.TRIAL_END_BY_EMPLOYER,
        R.DISMISSAL,
        R.CONVENTIONAL_TERMINATION,
        R.RESIGNATION_PORTABILITY,
    }
)


class EarlyEndCause:
    """Why a portability period ends before its computed end date."""

    NEW_JOB = "nouvel_emploi"
    BENEFITS_ENDED = "fin_indemnisation"
    RETIREMENT = "retraite"
    LABELS = {
        NEW_JOB: "reprise d'un emploi",
        BENEFITS_ENDED: "fin de l'indemnisation par l'assurance chômage",
        RETIREMENT: "départ en retraite",
    }


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day (31/01 + 1 → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def employment_months(*, start_date: dt.date, termination_date: dt.date) -> int:
    """Length of the employment, both days included, in whole months rounded up."""
    end_exclusive = termination_date + dt.timedelta(days=1)
    months = (end_exclusive.year - start_date.year) * 12 + end_exclusive.month - start_date.month
    while months > 0 and add_months(start_date, months) > end_exclusive:
        months -= 1
    if add_months(start_date, months) < end_exclusive:
        months += 1
    return max(months, 1)


@dataclass(frozen=True)
class PortabilityPeriod:
    months: int
    start_date: dt.date
    end_date: dt.date


def portability_period(*, start_date: dt.date, termination_date: dt.date) -> PortabilityPeriod:
    """As long as the last contract(s) (``start_date`` is the start of the first of the
    consecutive contracts with this employer), in whole months rounded up, at most 12
    months, from the day after the contract ends."""
    months = min(
        employment_months(start_date=start_date, termination_date=termination_date),
        PORTABILITY_MAX_MONTHS,
    )
    start = termination_date + dt.timedelta(days=1)
    return PortabilityPeriod(
        months=months, start_date=start, end_date=add_months(start, months) - dt.timedelta(days=1)
    )


@dataclass(frozen=True)
class PortabilityDecision:
    opens: bool
    # The employer did not know whether the employee can claim benefits: the employee's
    # France Travail notice decides.
    subject_to_proof: bool
    period: PortabilityPeriod | None
    explanation: str


def portability_decide(
    *,
    reason: str,
    unemployment: str | None,
    start_date: dt.date,
    termination_date: dt.date,
) -> PortabilityDecision:
    """Whether the end of this contract opens portability, and for how long."""
    if reason not in PORTABILITY_REASONS:
        label = TerminationReason(reason).label.lower()
        return PortabilityDecision(
            opens=False,
            subject_to_proof=False,
            period=None,
            explanation=(
                f"Ce motif ({label}) n'ouvre pas droit à l'assurance chômage : "
                "pas de portabilité, la couverture prend fin à la date de résiliation."
            ),
        )
    if unemployment == UnemploymentEligibility.NO:
        return PortabilityDecision(
            opens=False,
            subject_to_proof=False,
            period=None,
            explanation=(
                "Le salarié ne peut pas prétendre à l'assurance chômage : pas de portabilité, "
                "la couverture prend fin à la date de résiliation."
            ),
        )
    period = portability_period(start_date=start_date, termination_date=termination_date)
    subject_to_proof = unemployment != UnemploymentEligibility.YES
    explanation = (
        f"La portabilité s'ouvre de droit pour {period.months} mois, du "
        f"{period.start_date:%d/%m/%Y} au {period.end_date:%d/%m/%Y}, sous réserve que "
        "l'ancien salarié justifie de son indemnisation par l'assurance chômage."
    )
    if subject_to_proof:
        explanation += (
            " Vous ne savez pas s'il y a droit : son avis de prise en charge France Travail "
            "en décidera."
        )
    return PortabilityDecision(
        opens=True, subject_to_proof=subject_to_proof, period=period, explanation=explanation
    )


def early_end_date(*, computed_end: dt.date, benefits_end: dt.date) -> dt.date:
    """Portability ends on the last day of benefits, never after its computed end."""
    return min(computed_end, benefits_end)


def proof_due(
    *, last_proof_on: dt.date | None, period_start: dt.date, today: dt.date, renewal_days: int
) -> bool:
    """Whether the former employee's unemployment proof is missing or stale: one at the
    start of the period, then a fresh one every ``renewal_days`` days."""
    if today < period_start:
        return False
    if last_proof_on is None:
        return True
    return (today - last_proof_on).days > renewal_days
