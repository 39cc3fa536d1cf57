"""The mutuelle's share of one settlement line: THE rule, in one place.

For one line of care: FR (frais réels, what was paid), BR (base de remboursement), the
Sécurité sociale's rate and what it paid net (RO), PF (participation forfaitaire and
franchises, deducted by the Sécurité sociale and never covered by a contrat responsable).

- ``p % BR`` (Sécurité sociale share included): max(0, min(p × BR, FR) − (RO + PF))
- flat amount per act ``a``: max(0, min(a × quantity, FR − (RO + PF)))
- flat amount per period and beneficiary: as above, within what is left of the
  allowance in that period
- real costs and 100 % Santé: FR − (RO + PF)
- a count limit (acts per period) and a ceiling (euros per period) apply to any formula
- reste à charge = FR − RO − mutuelle, never negative, never above FR.

Amounts are ``Decimal`` rounded to the cent, half up, at each step a member can check.
The result records how it was computed (``Computation``): the grid row, the formula,
the allowance and count used before and left after. Nothing here touches the database:
the callers (import, reimbursement requests, estimates) give the usage already consumed.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mutuelle.enums import FeeSector, GuaranteeFormula, GuaranteePeriod
from mutuelle.formatting import euros, percent

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
# Rolling windows: the contrat responsable counts glasses "once every two years" from
# the last equipment, hearing aids every four years.
PERIOD_YEARS = {GuaranteePeriod.TWO_YEARS: 2, GuaranteePeriod.FOUR_YEARS: 4}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Settlement:
    """What the Sécurité sociale (or the back office) says about one line of care."""

    care_date: dt.date
    actual_cost: Decimal  # FR
    ss_base: Decimal = ZERO  # BR
    ss_paid: Decimal = ZERO  # RO, net
    ss_deductible: Decimal = ZERO  # PF and franchises
    quantity: int = 1
    fee_sector: str = ""  # "OPTAM", "NON_OPTAM" or "" (not a doctor's fee)


@dataclass(frozen=True)
class Usage:
    """What this beneficiary already consumed of this act in the row's period."""

    amount: Decimal = ZERO
    count: int = 0


@dataclass
class Computation:
    """The mutuelle's share and how it was found: every figure of « Détail du calcul »
    (the French sentences are written from these by :func:`explain`, when shown)."""

    mutuelle: Decimal
    out_of_pocket: Decimal
    row_id: int | None
    act_code: str
    formula: str
    fee_sector: str
    rate: Decimal | None
    amount: Decimal | None
    period: str
    period_start: dt.date | None
    period_end: dt.date | None
    # The settlement as computed.
    actual_cost: Decimal = ZERO
    ss_base: Decimal = ZERO
    ss_paid: Decimal = ZERO
    ss_deductible: Decimal = ZERO
    quantity: int = 1
    # Intermediate figures.
    guaranteed: Decimal | None = None  # p × BR, or a × quantity
    formula_share: Decimal = ZERO  # the formula's result, before counts and ceiling
    prorated_share: Decimal | None = None  # when fewer acts than asked were counted
    ceiling: Decimal | None = None
    ceiling_applied: bool = False
    allowance: Decimal | None = None  # euros available in the period (forfait or ceiling)
    allowance_used_before: Decimal = ZERO
    allowance_left: Decimal | None = None
    count_limit: int | None = None
    count_used_before: int = 0
    counted: int = 0  # acts of this line counted against the limit
    count_left: int | None = None

    def as_json(self) -> dict:
        # By hand rather than dataclasses.asdict (deep copies): the import writes 100,000.
        return {
            name: (
                str(value)
                if isinstance(value, Decimal)
                else value.isoformat()
                if isinstance(value, dt.date)
                else value
            )
            for name, value in self.__dict__.items()
        }

    @property
    def steps(self) -> list[str]:
        return explain(self.as_json())


def period_window(period: str, care_date: dt.date) -> tuple[dt.date, dt.date]:
    """The period of ``care_date`` in which allowances and counts are consumed."""
    years = PERIOD_YEARS.get(period)
    if years is None:
        return dt.date(care_date.year, 1, 1), dt.date(care_date.year, 12, 31)
    try:
        start = care_date.replace(year=care_date.year - years)
    except ValueError:  # 29 February
        start = care_date.replace(year=care_date.year - years, day=28)
    return start + dt.timedelta(days=1), care_date


def row_for(rows, *, act_code: str, fee_sector: str):
    """The grid row for an act in a sector: the sector's own row, else the row for any
    sector. A line without a sector (secteur 1, or not a doctor) is paid like OPTAM."""
    by_sector = {row.fee_sector: row for row in rows if row.act_code == act_code}
    sector = fee_sector or FeeSector.OPTAM
    return by_sector.get(sector) or by_sector.get(FeeSector.ANY)


def row_has_limits(row) -> bool:
    """Whether this row's share depends on what was consumed before."""
    return bool(
        row.count_limit
        or row.ceiling is not None
        or row.formula == GuaranteeFormula.FLAT_PER_PERIOD
    )


def share_compute(*, row, settlement: Settlement, usage: Usage | None = None) -> Computation:
    """The mutuelle's share of ``settlement`` under grid ``row``."""
    usage = usage or Usage()
    s = settlement
    covered_by_ss = s.ss_paid + s.ss_deductible
    after_ss = s.actual_cost - covered_by_ss
    limited = row_has_limits(row)
    start, end = period_window(row.period, s.care_date) if limited else (None, None)
    result = Computation(
        mutuelle=ZERO,
        out_of_pocket=ZERO,
        row_id=row.pk,
        act_code=row.act_code,
        formula=row.formula,
        fee_sector=row.fee_sector,
        rate=row.rate,
        amount=row.amount,
        period=row.period,
        period_start=start,
        period_end=end,
        actual_cost=s.actual_cost,
        ss_base=s.ss_base,
        ss_paid=s.ss_paid,
        ss_deductible=s.ss_deductible,
        quantity=s.quantity,
        ceiling=row.ceiling,
        count_limit=row.count_limit,
        count_used_before=usage.count,
        allowance_used_before=usage.amount,
    )
    quantity = s.quantity
    if row.count_limit:
        left = max(0, row.count_limit - usage.count)
        quantity = min(s.quantity, left)
        result.count_left = left - quantity
    result.counted = quantity

    match row.formula:
        case GuaranteeFormula.PERCENT_BR:
            result.guaranteed = cents(row.rate * s.ss_base / HUNDRED)
            share = max(ZERO, min(result.guaranteed, s.actual_cost) - covered_by_ss)
        case GuaranteeFormula.FLAT_PER_ACT:
            result.guaranteed = cents(row.amount * quantity)
            share = max(ZERO, min(result.guaranteed, after_ss))
        case GuaranteeFormula.FLAT_PER_PERIOD:
            left = max(ZERO, row.amount - usage.amount)
            share = max(ZERO, min(left, after_ss)) if quantity else ZERO
            result.allowance = row.amount
        case _:  # real costs, 100 % Santé
            share = max(ZERO, after_ss)
    result.formula_share = share

    if row.count_limit and quantity < s.quantity and row.formula != GuaranteeFormula.FLAT_PER_ACT:
        share = cents(share * quantity / s.quantity) if s.quantity else ZERO
        result.prorated_share = share

    if row.ceiling is not None:
        left = max(ZERO, row.ceiling - usage.amount)
        result.allowance = row.ceiling
        if share > left:
            share = left
            result.ceiling_applied = True

    share = cents(share)
    result.mutuelle = share
    if result.allowance is not None:
        result.allowance_left = max(ZERO, result.allowance - usage.amount - share)
    # Never negative, never above FR (the import refuses RO above FR, but be safe).
    result.out_of_pocket = min(s.actual_cost, max(ZERO, cents(s.actual_cost - s.ss_paid - share)))
    return result


def explain(data: dict) -> list[str]:
    """« Détail du calcul » in French, from a stored computation (``as_json``)."""

    def money(name):
        value = data.get(name)
        return None if value is None else Decimal(value)

    period_label = GuaranteePeriod(data["period"]).label
    fr, ro, pf = money("actual_cost"), money("ss_paid"), money("ss_deductible")
    after_ss = max(ZERO, fr - ro - pf)
    share = money("formula_share")
    steps = [
        f"Frais réels {euros(fr)}, remboursé par la Sécurité sociale {euros(ro)}, "
        f"participation forfaitaire et franchises {euros(pf)}."
    ]
    if data.get("count_limit"):
        steps.append(
            f"Limite de {data['count_limit']} acte(s) {period_label} : "
            f"{data['count_used_before']} déjà pris en charge, {data['counted']} sur "
            f"{data['quantity']} retenu(s)."
        )
    match data["formula"]:
        case GuaranteeFormula.PERCENT_BR:
            steps.append(
                f"Garantie {percent(data['rate'])} de la base de remboursement "
                f"{euros(data['ss_base'])} = {euros(data['guaranteed'])}, dans la limite des "
                f"frais réels, moins la part de la Sécurité sociale et la participation "
                f"forfaitaire ({euros(ro + pf)}) : {euros(share)}."
            )
        case GuaranteeFormula.FLAT_PER_ACT:
            steps.append(
                f"Forfait {euros(data['amount'])} × {data['counted']} = "
                f"{euros(data['guaranteed'])}, dans la limite de ce qui reste après la "
                f"Sécurité sociale ({euros(after_ss)}) : {euros(share)}."
            )
        case GuaranteeFormula.FLAT_PER_PERIOD:
            used = money("allowance_used_before")
            left = max(ZERO, money("amount") - used)
            steps.append(
                f"Forfait {euros(data['amount'])} {period_label} : {euros(used)} déjà "
                f"utilisé(s), {euros(left)} disponible(s), dans la limite de ce qui reste "
                f"après la Sécurité sociale ({euros(after_ss)}) : {euros(share)}."
            )
        case _:
            steps.append(
                f"{GuaranteeFormula(data['formula']).label} : frais réels moins la part de la "
                f"Sécurité sociale et la participation forfaitaire : {euros(share)}."
            )
    if data.get("prorated_share") is not None:
        steps.append(f"Part des actes retenus : {euros(data['prorated_share'])}.")
    if data.get("ceiling_applied"):
        steps.append(
            f"Plafond {euros(data['ceiling'])} {period_label} : "
            f"{euros(data['allowance_used_before'])} déjà utilisé(s), pris en charge "
            f"{euros(data['mutuelle'])}."
        )
    steps.append(
        f"Remboursement de la mutuelle : {euros(data['mutuelle'])} ; reste à charge : "
        f"{euros(data['out_of_pocket'])}."
    )
    return steps
