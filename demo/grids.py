"""The demo offers' guarantee grids (``seed_demo``), one list of rows per coverage level.

Base and Base + Option 1 hold exactly the values of the reimbursements specification
(issue 9); the other levels sit coherently above them. Every grid respects the contrat
responsable rules: a non-OPTAM doctor's fee is covered at most 100 % BR above the
Sécurité sociale base (200 % BR in all) and at least 20 points below the OPTAM row of the
same act; adult glasses are covered once every two years.
"""

from decimal import Decimal

from django.db import transaction

from mutuelle.enums import (
    ActCode,
    CoverageLevel,
    FeeSector,
    GuaranteeDomain,
    GuaranteeFormula,
    GuaranteePeriod,
)
from mutuelle.models import GuaranteeRow, Offer

L = CoverageLevel
LEVELS = [L.BASE, L.BASE_OPT1, L.BASE_OPT2, L.BASE_SUR, L.BASE_OPT1_SUR, L.BASE_OPT2_SUR]


def _per_level(*values) -> dict[str, Decimal | int]:
    """Values in the order of ``LEVELS``."""
    return {
        level: value if isinstance(value, int) else Decimal(value)
        for level, value in zip(LEVELS, values, strict=True)
    }


# (domain, act code, formula, sector, period, values per level, count limits per level)
_DOCTORS = [
    (
        GuaranteeDomain.ROUTINE_CARE,
        ActCode.CONSULT_GEN,
        _per_level("100", "100", "150", "130", "130", "180"),
        _per_level("100", "100", "130", "110", "110", "160"),
    ),
    (
        GuaranteeDomain.ROUTINE_CARE,
        ActCode.CONSULT_SPE,
        _per_level("150", "200", "250", "200", "250", "300"),
        _per_level("130", "180", "200", "180", "200", "200"),
    ),
    (
        GuaranteeDomain.HOSPITAL,
        ActCode.HOSP_HONORAIRES,
        _per_level("150", "150", "200", "200", "200", "250"),
        _per_level("130", "130", "180", "180", "180", "200"),
    ),
]
_PERCENT = [
    (GuaranteeDomain.ROUTINE_CARE, ActCode.PHARMACIE, _per_level(*["100"] * 6)),
    (
        GuaranteeDomain.ROUTINE_CARE,
        ActCode.ANALYSES,
        _per_level("100", "100", "125", "100", "100", "125"),
    ),
    (
        GuaranteeDomain.ROUTINE_CARE,
        ActCode.RADIOLOGIE,
        _per_level("100", "100", "125", "100", "100", "125"),
    ),
    (
        GuaranteeDomain.ROUTINE_CARE,
        ActCode.AUXILIAIRES,
        _per_level("100", "100", "125", "100", "100", "125"),
    ),
    (
        GuaranteeDomain.HOSPITAL,
        ActCode.HOSP_FRAIS_SEJOUR,
        _per_level("100", "100", "150", "100", "100", "150"),
    ),
    (
        GuaranteeDomain.DENTAL,
        ActCode.DENTAIRE_SOINS,
        _per_level("100", "100", "125", "100", "100", "125"),
    ),
    (
        GuaranteeDomain.DENTAL,
        ActCode.DENTAIRE_PROTHESE,
        _per_level("125", "125", "250", "200", "200", "300"),
    ),
    (
        GuaranteeDomain.DENTAL,
        ActCode.ORTHODONTIE,
        _per_level("150", "150", "250", "200", "200", "300"),
    ),
]
_SANTE_100 = [
    (GuaranteeDomain.OPTICAL, ActCode.OPTIQUE_100_SANTE, GuaranteePeriod.TWO_YEARS, None),
    (
        GuaranteeDomain.DENTAL,
        ActCode.DENTAIRE_PROTHESE_100_SANTE,
        GuaranteePeriod.CALENDAR_YEAR,
        None,
    ),
    (GuaranteeDomain.HEARING, ActCode.AUDIO_100_SANTE, GuaranteePeriod.FOUR_YEARS, 2),
]
# (domain, code, formula, period, amounts, count limits)
_FLAT = [
    (
        GuaranteeDomain.HOSPITAL,
        ActCode.CHAMBRE_PARTICULIERE,
        GuaranteeFormula.FLAT_PER_ACT,
        GuaranteePeriod.CALENDAR_YEAR,
        _per_level("40", "60", "80", "70", "90", "110"),
        None,
    ),
    (
        GuaranteeDomain.OPTICAL,
        ActCode.OPTIQUE_ADULTE,
        GuaranteeFormula.FLAT_PER_PERIOD,
        GuaranteePeriod.TWO_YEARS,
        _per_level("150", "250", "350", "200", "300", "400"),
        None,
    ),
    (
        GuaranteeDomain.OPTICAL,
        ActCode.OPTIQUE_ENFANT,
        GuaranteeFormula.FLAT_PER_PERIOD,
        GuaranteePeriod.CALENDAR_YEAR,
        _per_level("100", "100", "200", "130", "130", "230"),
        None,
    ),
    (
        GuaranteeDomain.OPTICAL,
        ActCode.LENTILLES,
        GuaranteeFormula.FLAT_PER_PERIOD,
        GuaranteePeriod.CALENDAR_YEAR,
        _per_level("100", "100", "150", "130", "130", "180"),
        None,
    ),
    (
        GuaranteeDomain.HEARING,
        ActCode.AUDIO_LIBRE,
        GuaranteeFormula.FLAT_PER_ACT,
        GuaranteePeriod.FOUR_YEARS,
        _per_level("400", "400", "700", "500", "500", "900"),
        _per_level(2, 2, 2, 2, 2, 2),
    ),
    (
        GuaranteeDomain.ALTERNATIVE,
        ActCode.MEDECINES_DOUCES,
        GuaranteeFormula.FLAT_PER_ACT,
        GuaranteePeriod.CALENDAR_YEAR,
        _per_level("30", "40", "50", "40", "50", "60"),
        _per_level(3, 4, 5, 3, 4, 5),
    ),
    (
        GuaranteeDomain.PREVENTION,
        ActCode.VACCINS,
        GuaranteeFormula.FLAT_PER_PERIOD,
        GuaranteePeriod.CALENDAR_YEAR,
        _per_level("30", "30", "50", "40", "40", "60"),
        None,
    ),
]
_REAL_COSTS = [(GuaranteeDomain.HOSPITAL, ActCode.HOSP_FORFAIT_JOURNALIER)]
_DOMAIN_ORDER = {domain: index for index, domain in enumerate(GuaranteeDomain)}
_CODE_ORDER = {code: index for index, code in enumerate(ActCode)}


def demo_grid(level: str) -> list[dict]:
    """The rows of ``level``'s grid as ``GuaranteeRow`` field values."""
    rows = []

    def add(domain, code, formula, *, sector=FeeSector.ANY, **values):
        rows.append(
            {
                "domain": domain,
                "act_code": code,
                "label": ActCode(code).label,
                "formula": formula,
                "fee_sector": sector,
                "rate": values.get("rate"),
                "amount": values.get("amount"),
                "ceiling": values.get("ceiling"),
                "count_limit": values.get("count_limit"),
                "period": values.get("period", GuaranteePeriod.CALENDAR_YEAR),
                "display_order": _DOMAIN_ORDER[domain] * 100
                + _CODE_ORDER[code] * 2
                + (sector == FeeSector.NON_OPTAM),
            }
        )

    for domain, code, optam, non_optam in _DOCTORS:
        add(domain, code, GuaranteeFormula.PERCENT_BR, sector=FeeSector.OPTAM, rate=optam[level])
        add(
            domain,
            code,
            GuaranteeFormula.PERCENT_BR,
            sector=FeeSector.NON_OPTAM,
            rate=non_optam[level],
        )
    for domain, code, rates in _PERCENT:
        add(domain, code, GuaranteeFormula.PERCENT_BR, rate=rates[level])
    for domain, code in _REAL_COSTS:
        add(domain, code, GuaranteeFormula.REAL_COSTS)
    for domain, code, period, count in _SANTE_100:
        add(domain, code, GuaranteeFormula.SANTE_100, period=period, count_limit=count)
    for domain, code, formula, period, amounts, counts in _FLAT:
        add(
            domain,
            code,
            formula,
            period=period,
            amount=amounts[level],
            count_limit=counts[level] if counts else None,
        )
    return sorted(rows, key=lambda row: row["display_order"])


@transaction.atomic
def demo_grid_seed(*, offer: Offer) -> None:
    """Create or update ``offer``'s rows to the demo values (idempotent)."""
    for row in demo_grid(offer.level):
        GuaranteeRow.objects.update_or_create(
            offer=offer,
            act_code=row["act_code"],
            fee_sector=row["fee_sector"],
            defaults={
                key: value for key, value in row.items() if key not in ("act_code", "fee_sector")
            },
        )
