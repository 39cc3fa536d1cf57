"""The portability rule of art. L911-8 CSS, at its boundaries."""

import datetime as dt

import pytest

from enrolment.enums import TerminationReason as R
from enrolment.enums import UnemploymentEligibility as U
from enrolment.portability import (
    PORTABILITY_REASONS,
    early_end_date,
    portability_decide,
    portability_period,
    proof_due,
)

D = dt.date

OPENING = [
    R.END_OF_CONTRACT,
    R.EARLY_END_FIXED_TERM,
    R.END_OF_MISSION,
    R.APPRENTICESHIP_END,
    R.TRIAL_END_BY_EMPLOYER,
    R.DISMISSAL,
    R.CONVENTIONAL_TERMINATION,
    R.RESIGNATION_PORTABILITY,
]
CLOSING = [
    R.DISMISSAL_GROSS_MISCONDUCT,
    R.RESIGNATION,
    R.TRIAL_END_BY_EMPLOYEE,
    R.RETIREMENT,
    R.DEATH,
    R.PARENTAL_LEAVE,
    R.EXCEPTIONAL,
]


def test_every_reason_is_classified():
    assert set(OPENING) | set(CLOSING) == set(R.values)
    assert set(OPENING) == PORTABILITY_REASONS


@pytest.mark.parametrize("reason", OPENING)
def test_reasons_opening_unemployment_open_portability_of_right(reason):
    decision = portability_decide(
        reason=reason, unemployment=U.YES, start_date=D(2024, 1, 1), termination_date=D(2024, 6, 30)
    )
    assert decision.opens and not decision.subject_to_proof
    assert decision.period.months == 6
    assert "de droit pour 6 mois, du 01/07/2024 au 31/12/2024" in decision.explanation


@pytest.mark.parametrize("reason", CLOSING)
def test_faute_lourde_resignation_retirement_death_never_open_it(reason):
    decision = portability_decide(
        reason=reason, unemployment=U.YES, start_date=D(2024, 1, 1), termination_date=D(2024, 6, 30)
    )
    assert not decision.opens and decision.period is None
    assert "pas de portabilité" in decision.explanation


def test_no_unemployment_right_means_no_portability():
    decision = portability_decide(
        reason=R.DISMISSAL,
        unemployment=U.NO,
        start_date=D(2024, 1, 1),
        termination_date=D(2024, 6, 30),
    )
    assert not decision.opens
    assert "ne peut pas prétendre" in decision.explanation


def test_unknown_unemployment_right_opens_subject_to_the_france_travail_notice():
    decision = portability_decide(
        reason=R.DISMISSAL,
        unemployment=U.UNKNOWN,
        start_date=D(2024, 1, 1),
        termination_date=D(2024, 6, 30),
    )
    assert decision.opens and decision.subject_to_proof
    assert "France Travail" in decision.explanation


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2024, 1, 1), D(2024, 12, 31), 12),  # exactly 12 months
        (D(2024, 1, 2), D(2024, 12, 31), 12),  # a day short of 12 → rounded up to 12
        (D(2024, 1, 1), D(2024, 11, 30), 11),  # exactly 11 months
        (D(2024, 1, 1), D(2024, 12, 1), 12),  # 11 months and a day → 12
        (D(2023, 12, 31), D(2024, 12, 31), 12),  # 12 months and a day → capped at 12
    ],
)
def test_duration_boundaries(start, end, months):
    assert portability_period(start_date=start, termination_date=end).months == months


def test_consecutive_contracts_count_from_the_first():
    last_only = portability_decide(
        reason=R.END_OF_CONTRACT,
        unemployment=U.YES,
        start_date=D(2024, 4, 1),
        termination_date=D(2024, 6, 30),
    )
    consecutive = portability_decide(
        reason=R.END_OF_CONTRACT,
        unemployment=U.YES,
        start_date=D(2024, 1, 1),
        termination_date=D(2024, 6, 30),
    )
    assert (last_only.period.months, consecutive.period.months) == (3, 6)
    assert consecutive.period.end_date == D(2024, 12, 31)


def test_early_end_never_after_the_computed_end():
    assert early_end_date(computed_end=D(2025, 6, 30), benefits_end=D(2025, 3, 14)) == D(
        2025, 3, 14
    )
    assert early_end_date(computed_end=D(2025, 6, 30), benefits_end=D(2025, 9, 1)) == D(2025, 6, 30)


def test_proof_due_at_start_then_every_renewal_period():
    start = D(2025, 1, 1)
    kwargs = {"period_start": start, "renewal_days": 90}
    assert proof_due(last_proof_on=None, today=D(2024, 12, 31), **kwargs) is False
    assert proof_due(last_proof_on=None, today=start, **kwargs) is True
    assert proof_due(last_proof_on=D(2025, 1, 5), today=D(2025, 4, 5), **kwargs) is False
    assert proof_due(last_proof_on=D(2025, 1, 5), today=D(2025, 4, 6), **kwargs) is True
