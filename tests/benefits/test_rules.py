"""The rule of issue 9, case by case (no database)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from benefits.rules import Settlement, Usage, period_window, row_for, share_compute
from mutuelle.enums import ActCode, FeeSector, GuaranteeFormula, GuaranteePeriod
from mutuelle.models import GuaranteeRow

DAY = dt.date(2026, 3, 12)


def row(code=ActCode.PHARMACIE, formula=GuaranteeFormula.PERCENT_BR, **kwargs):
    return GuaranteeRow(act_code=code, formula=formula, label=code, **kwargs)


def line(fr, br="0", ro="0", pf="0", quantity=1, sector="", day=DAY):
    return Settlement(
        care_date=day,
        actual_cost=D(fr),
        ss_base=D(br),
        ss_paid=D(ro),
        ss_deductible=D(pf),
        quantity=quantity,
        fee_sector=sector,
    )


def test_percentage_under_actual_costs():
    # Specialist 150 % BR, BR 30 €, FR 60 €, RO 70 % − 2 € PF = 19 €: min(45, 60) − 21 = 24.
    result = share_compute(
        row=row(ActCode.CONSULT_SPE, rate=D("150")), settlement=line("60", "30", "19", "2")
    )
    assert result.mutuelle == D("24.00")
    assert result.out_of_pocket == D("17.00")


def test_percentage_over_actual_costs_is_capped_at_actual_costs():
    # 200 % BR = 60 € but only 35 € were paid: min(60, 35) − 21 = 14.
    result = share_compute(
        row=row(ActCode.CONSULT_SPE, rate=D("200")), settlement=line("35", "30", "19", "2")
    )
    assert result.mutuelle == D("14.00")
    assert result.out_of_pocket == D("2.00")  # the participation forfaitaire


def test_participation_forfaitaire_is_never_covered():
    result = share_compute(
        row=row(ActCode.CONSULT_GEN, rate=D("100")), settlement=line("30", "30", "19", "2")
    )
    assert result.mutuelle == D("9.00")
    assert result.out_of_pocket == D("2.00")
    real = share_compute(
        row=row(ActCode.HOSP_FORFAIT_JOURNALIER, GuaranteeFormula.REAL_COSTS),
        settlement=line("40", "0", "0", "2"),
    )
    assert real.mutuelle == D("38.00")


def test_percentage_never_negative():
    result = share_compute(
        row=row(ActCode.PHARMACIE, rate=D("100")), settlement=line("10", "10", "10", "0")
    )
    assert result.mutuelle == D("0.00")
    assert result.out_of_pocket == D("0.00")


def test_flat_per_act_times_quantity_within_what_is_left():
    room = row(ActCode.CHAMBRE_PARTICULIERE, GuaranteeFormula.FLAT_PER_ACT, amount=D("40"))
    result = share_compute(row=room, settlement=line("255", quantity=3))  # 85 € a night
    assert result.mutuelle == D("120.00")
    assert result.out_of_pocket == D("135.00")
    cheap = share_compute(row=room, settlement=line("70", quantity=2))
    assert cheap.mutuelle == D("70.00")
    assert cheap.out_of_pocket == D("0.00")


def test_count_limit_exhausted_in_the_calendar_year():
    soft = row(
        ActCode.MEDECINES_DOUCES,
        GuaranteeFormula.FLAT_PER_ACT,
        amount=D("30"),
        count_limit=3,
    )
    second = share_compute(row=soft, settlement=line("60"), usage=Usage(D("30"), 1))
    assert (second.mutuelle, second.counted, second.count_left) == (D("30.00"), 1, 1)
    two_asked_one_left = share_compute(
        row=soft, settlement=line("120", quantity=2), usage=Usage(D("60"), 2)
    )
    assert (two_asked_one_left.mutuelle, two_asked_one_left.counted) == (D("30.00"), 1)
    exhausted = share_compute(row=soft, settlement=line("60"), usage=Usage(D("90"), 3))
    assert (exhausted.mutuelle, exhausted.counted, exhausted.count_left) == (D("0.00"), 0, 0)
    assert exhausted.out_of_pocket == D("60.00")
    assert "3 déjà pris en charge" in " ".join(exhausted.steps)


def test_yearly_allowance_used_and_left():
    lenses = row(
        ActCode.LENTILLES, GuaranteeFormula.FLAT_PER_PERIOD, amount=D("100"), count_limit=None
    )
    first = share_compute(row=lenses, settlement=line("70"))
    assert (first.mutuelle, first.allowance_left) == (D("70.00"), D("30.00"))
    second = share_compute(row=lenses, settlement=line("70"), usage=Usage(D("70"), 1))
    assert (second.mutuelle, second.allowance_used_before, second.allowance_left) == (
        D("30.00"),
        D("70"),
        D("0.00"),
    )
    third = share_compute(row=lenses, settlement=line("70"), usage=Usage(D("100"), 2))
    assert third.mutuelle == D("0.00")
    assert (first.period_start, first.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_two_year_optical_period_is_rolling():
    assert period_window(GuaranteePeriod.TWO_YEARS, DAY) == (dt.date(2024, 3, 13), DAY)
    assert period_window(GuaranteePeriod.TWO_YEARS, dt.date(2028, 2, 29)) == (
        dt.date(2026, 3, 1),
        dt.date(2028, 2, 29),
    )
    glasses = row(
        ActCode.OPTIQUE_ADULTE,
        GuaranteeFormula.FLAT_PER_PERIOD,
        amount=D("150"),
        period=GuaranteePeriod.TWO_YEARS,
    )
    # Glasses 420 €, Sécurité sociale 0,05 € (60 % of 0,09 €): 150 € of the allowance.
    result = share_compute(row=glasses, settlement=line("420", "0.09", "0.05"))
    assert (result.mutuelle, result.allowance_left) == (D("150.00"), D("0.00"))
    assert result.out_of_pocket == D("269.95")
    assert result.period_start == dt.date(2024, 3, 13)


def test_real_costs():
    result = share_compute(
        row=row(ActCode.HOSP_FORFAIT_JOURNALIER, GuaranteeFormula.REAL_COSTS),
        settlement=line("60", quantity=3),
    )
    assert (result.mutuelle, result.out_of_pocket) == (D("60.00"), D("0.00"))


def test_optam_and_non_optam_rows():
    rows = [
        row(ActCode.CONSULT_SPE, rate=D("150"), fee_sector=FeeSector.OPTAM),
        row(ActCode.CONSULT_SPE, rate=D("130"), fee_sector=FeeSector.NON_OPTAM),
        row(ActCode.PHARMACIE, rate=D("100")),
    ]
    optam = row_for(rows, act_code=ActCode.CONSULT_SPE, fee_sector="OPTAM")
    non_optam = row_for(rows, act_code=ActCode.CONSULT_SPE, fee_sector="NON_OPTAM")
    assert row_for(rows, act_code=ActCode.CONSULT_SPE, fee_sector="") is optam
    assert row_for(rows, act_code=ActCode.PHARMACIE, fee_sector="NON_OPTAM").rate == D("100")
    assert row_for(rows, act_code=ActCode.DENTAIRE_SOINS, fee_sector="") is None
    settlement = line("80", "30", "19", "2", sector="NON_OPTAM")
    assert share_compute(row=optam, settlement=settlement).mutuelle == D("24.00")
    assert share_compute(row=non_optam, settlement=settlement).mutuelle == D("18.00")


def test_rounding_half_up_to_the_cent():
    # 150 % of 25,03 € = 37,545 € → 37,55 € (half up; half even would give 37,54 €).
    result = share_compute(
        row=row(ActCode.CONSULT_SPE, rate=D("150")), settlement=line("50", "25.03", "0", "0")
    )
    assert result.mutuelle == D("37.55")
    assert result.out_of_pocket == D("12.45")


def test_ceiling_per_period():
    ortho = row(ActCode.ORTHODONTIE, rate=D("300"), ceiling=D("500"))
    result = share_compute(
        row=ortho, settlement=line("900", "193.50", "135.45"), usage=Usage(D("200"), 1)
    )
    # 300 % × 193,50 = 580,50 − 135,45 = 445,05, but only 300 € left of the ceiling.
    assert (result.mutuelle, result.allowance_left) == (D("300.00"), D("0.00"))


def test_computation_is_serialisable_and_tells_the_row():
    soft = GuaranteeRow(
        pk=7,
        act_code=ActCode.MEDECINES_DOUCES,
        formula=GuaranteeFormula.FLAT_PER_ACT,
        amount=D("30"),
        count_limit=3,
    )
    data = share_compute(row=soft, settlement=line("55")).as_json()
    assert data["row_id"] == 7
    assert data["mutuelle"] == "30.00"
    assert data["formula"] == "flat_per_act"
    assert data["period_start"] == "2026-01-01"
    assert data["count_left"] == 2


@pytest.mark.parametrize("fr", ["0", "0.01", "1000"])
def test_reste_a_charge_stays_between_zero_and_actual_costs(fr):
    result = share_compute(row=row(rate=D("400")), settlement=line(fr, "500", "0"))
    assert D("0") <= result.out_of_pocket <= D(fr)
