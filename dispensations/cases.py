"""The catalogue of dispensation (opt-out) cases: the one place that states them.

Each case says what the employee reads, its legal basis, whether French law opens it to
every employee or only when the company's act (DUE, agreement, referendum) provides it,
the proofs to attach, whether it ends on a date (and which one) and whether it must be
justified again every year. Forms, services, admin and jobs read this table; none of them
spells a rule out again.

Sources (Code de la sécurité sociale, version in force):
- art. L911-7 III and D911-2: dispensations open by law, whatever the act says
  (1° Complémentaire santé solidaire, 2° individual contract held at hire, 3° covered
  elsewhere by a collective scheme listed by the arrêté of 26 March 2012, 4° CDD or
  mission whose collective cover would last under 3 months);
- art. R242-1-6 2°: dispensations the act may provide (CDD/apprentices of 12 months or
  more with individual cover, of under 12 months, part-time employees whose contribution
  would be at least 10 % of gross pay);
- loi n° 89-1009 du 31 décembre 1989 (loi Évin), art. 11: employees present when the
  scheme was set up by unilateral decision with an employee contribution.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class Source(StrEnum):
    LAW = "law"
    ACT = "act"


class EndDateRule(StrEnum):
    """How the end of the dispensation is set."""

    NONE = "none"
    # Annual due date of the individual contract / end of the CSS rights: within a year.
    WITHIN_A_YEAR = "within_a_year"
    # End of the fixed-term contract: its length decides whether the case applies.
    END_OF_FIXED_TERM = "end_of_fixed_term"


@dataclass(frozen=True)
class DispensationCase:
    code: str
    label: str
    short_label: str
    legal_basis: str
    source: Source
    group: str
    proofs: tuple[str, ...] = ()
    end_date: EndDateRule = EndDateRule.NONE
    end_date_label: str = ""
    yearly_rejustification: bool = False
    needs_insurer_name: bool = False
    # For END_OF_FIXED_TERM: the contract's length, from the hire date, must be
    # at least `min_months` / under `max_months`.
    min_months: int | None = None
    max_months: int | None = None
    # Length measured on the collective cover (from max(hire, scheme start)) rather
    # than on the employment contract.
    measure_coverage: bool = False
    # Only open when the employee was hired before the scheme started (loi Évin).
    hired_before_scheme: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def proof_required(self) -> bool:
        return bool(self.proofs)

    @property
    def end_date_required(self) -> bool:
        return self.end_date != EndDateRule.NONE

    @property
    def by_law(self) -> bool:
        return self.source == Source.LAW


COVERED_ELSEWHERE = (
    "Salarié bénéficiant par ailleurs, y compris en tant qu'ayant droit, "
    "d'une couverture collective"
)
INDIVIDUAL_OR_SOLIDARITY = "Salarié couvert à titre individuel"
FIXED_TERM = "Salarié ou apprenti en contrat à durée déterminée ou de mission"
OTHER = "Autres situations"

_COVERED_BASIS = "Art. L911-7 III et D911-2 3° CSS ; arrêté du 26 mars 2012"
_CARD = "Copie de la carte de mutuelle (carte de tiers payant)"

CASES: tuple[DispensationCase, ...] = (
    DispensationCase(
        code="spouse_employer",
        label=(
            "Affiliation au régime obligatoire frais de santé mis en place par l'employeur "
            "du conjoint, auquel le salarié est tenu d'adhérer"
        ),
        short_label="Employeur conjoint",
        legal_basis=_COVERED_BASIS,
        source=Source.LAW,
        group=COVERED_ELSEWHERE,
        proofs=(
            "Attestation de l'employeur du conjoint (mutuelle familiale obligatoire)",
            _CARD,
        ),
        yearly_rejustification=True,
    ),
    DispensationCase(
        code="alsace_moselle",
        label="Régime local d'assurance maladie du Bas-Rhin, du Haut-Rhin et de la Moselle",
        short_label="Régime local Alsace-Moselle",
        legal_basis=_COVERED_BASIS,
        source=Source.LAW,
        group=COVERED_ELSEWHERE,
        proofs=("Attestation d'affiliation au régime local (attestation de droits)",),
        yearly_rejustification=True,
    ),
    DispensationCase(
        code="camieg",
        label="Régime complémentaire relevant de la CAMIEG (industries électriques et gazières)",
        short_label="CAMIEG",
        legal_basis=_COVERED_BASIS,
        source=Source.LAW,
        group=COVERED_ELSEWHERE,
        proofs=("Attestation d'affiliation à la CAMIEG",),
        yearly_rejustification=True,
    ),
    DispensationCase(
        code="public_agents",
        label="Mutuelle des agents de l'État ou des collectivités territoriales",
        short_label="Mutuelle de la fonction publique",
        legal_basis=_COVERED_BASIS + " ; décrets n° 2007-1373 et n° 2011-1474",
        source=Source.LAW,
        group=COVERED_ELSEWHERE,
        proofs=("Attestation d'adhésion à la mutuelle", _CARD),
        yearly_rejustification=True,
    ),
    DispensationCase(
        code="madelin",
        label="Contrat d'assurance de groupe dit « Madelin » (travailleurs indépendants)",
        short_label="Contrat Madelin",
        legal_basis=_COVERED_BASIS + " ; art. L144-1 du Code des assurances",
        source=Source.LAW,
        group=COVERED_ELSEWHERE,
        proofs=("Attestation d'adhésion au contrat Madelin",),
        yearly_rejustification=True,
    ),
    DispensationCase(
        code="individual_contract",
        label=(
            "Salarié déjà couvert par une assurance individuelle frais de santé au moment de "
            "l'embauche (dispense possible jusqu'à l'échéance annuelle du contrat individuel)"
        ),
        short_label="Contrat individuel à l'embauche",
        legal_basis="Art. L911-7 III et D911-2 2° CSS",
        source=Source.LAW,
        group=INDIVIDUAL_OR_SOLIDARITY,
        proofs=("Copie de la carte de mutuelle ou attestation du contrat individuel",),
        end_date=EndDateRule.WITHIN_A_YEAR,
        end_date_label="Échéance annuelle du contrat individuel",
    ),
    DispensationCase(
        code="solidarity_cover",
        label=(
            "Salarié bénéficiaire de la Complémentaire santé solidaire (anciennement CMU-C ou ACS)"
        ),
        short_label="Complémentaire santé solidaire",
        legal_basis="Art. L911-7 III et D911-2 1° CSS ; art. L861-1 CSS",
        source=Source.LAW,
        group=INDIVIDUAL_OR_SOLIDARITY,
        proofs=("Attestation de droits à la Complémentaire santé solidaire",),
        end_date=EndDateRule.WITHIN_A_YEAR,
        end_date_label="Fin des droits à la Complémentaire santé solidaire",
    ),
    DispensationCase(
        code="short_fixed_term",
        label=(
            "Salarié en CDD ou en contrat de mission dont la couverture collective durerait "
            "moins de 3 mois, couvert par un contrat individuel responsable"
        ),
        short_label="CDD ou mission de moins de 3 mois",
        legal_basis="Art. L911-7 III et D911-2 4° CSS ; art. L871-1 CSS",
        source=Source.LAW,
        group=FIXED_TERM,
        end_date=EndDateRule.END_OF_FIXED_TERM,
        end_date_label="Date de fin du contrat de travail",
        needs_insurer_name=True,
        max_months=3,
        measure_coverage=True,
        notes=("Déclaration sur l'honneur indiquant l'organisme assureur du contrat individuel.",),
    ),
    DispensationCase(
        code="fixed_term_12_months_covered",
        label=(
            "Salarié ou apprenti en CDD (ou contrat de mission) d'au moins 12 mois bénéficiant "
            "d'une complémentaire santé individuelle, en tant qu'adhérent ou ayant droit"
        ),
        short_label="CDD d'au moins 12 mois couvert à titre individuel",
        legal_basis="Art. R242-1-6 2° a) CSS (si l'acte de mise en place le prévoit)",
        source=Source.ACT,
        group=FIXED_TERM,
        proofs=(_CARD,),
        end_date=EndDateRule.END_OF_FIXED_TERM,
        end_date_label="Date de fin du contrat de travail",
        min_months=12,
    ),
    DispensationCase(
        code="fixed_term_under_12_months",
        label=(
            "Salarié ou apprenti en CDD (ou contrat de mission) de moins de 12 mois, même s'il ne "
            "bénéficie pas d'une couverture individuelle souscrite par ailleurs"
        ),
        short_label="CDD de moins de 12 mois",
        legal_basis="Art. R242-1-6 2° b) CSS (si l'acte de mise en place le prévoit)",
        source=Source.ACT,
        group=FIXED_TERM,
        end_date=EndDateRule.END_OF_FIXED_TERM,
        end_date_label="Date de fin du contrat de travail",
        max_months=12,
    ),
    DispensationCase(
        code="part_time_10_percent",
        label=(
            "Salarié à temps partiel ou apprenti dont la cotisation serait au moins égale à "
            "10 % de sa rémunération brute"
        ),
        short_label="Temps partiel (cotisation ≥ 10 % du salaire brut)",
        legal_basis="Art. R242-1-6 2° c) CSS (si l'acte de mise en place le prévoit)",
        source=Source.ACT,
        group=OTHER,
        proofs=("Dernier bulletin de salaire",),
    ),
    DispensationCase(
        code="evin_unilateral_decision",
        label=(
            "Salarié présent dans l'entreprise lors de la mise en place du régime par décision "
            "unilatérale de l'employeur avec une cotisation à sa charge"
        ),
        short_label="Salarié présent à la mise en place (loi Évin)",
        legal_basis="Loi n° 89-1009 du 31 décembre 1989 (loi Évin), art. 11",
        source=Source.LAW,
        group=OTHER,
        hired_before_scheme=True,
        notes=(
            "Ouvert uniquement si le régime a été mis en place par décision unilatérale "
            "de l'employeur avec une cotisation salariale.",
        ),
    ),
)

CASES_BY_CODE: dict[str, DispensationCase] = {case.code: case for case in CASES}
CASE_CHOICES: list[tuple[str, str]] = [(case.code, case.short_label) for case in CASES]
ACT_ONLY_CASES: tuple[DispensationCase, ...] = tuple(c for c in CASES if c.source == Source.ACT)
YEARLY_CASE_CODES: frozenset[str] = frozenset(c.code for c in CASES if c.yearly_rejustification)


def get_case(code: str) -> DispensationCase:
    return CASES_BY_CODE[code]


def cases_open_for(contract, *, hire_date: dt.date | None = None) -> list[DispensationCase]:
    """The cases an employee of this contract may choose.

    Cases by law are always open, except loi Évin's, which needs a scheme set up by
    unilateral decision with an employee contribution (and, when the hire date is
    known, an employee already there when it started); act-only cases need the
    contract's settings to list them.
    """
    settings = getattr(contract, "dispensation_settings", None)
    allowed_act = set(settings.act_cases) if settings else set()
    unilateral = bool(settings and settings.unilateral_decision_with_contribution)
    opened = []
    for case in CASES:
        if case.source == Source.ACT and case.code not in allowed_act:
            continue
        if case.hired_before_scheme:
            if not unilateral:
                continue
            if hire_date is not None and hire_date >= contract.start_date:
                continue
        opened.append(case)
    return opened


def check_case_rules(
    case: DispensationCase,
    *,
    contract,
    hire_date: dt.date | None,
    end_date: dt.date | None,
    insurer_name: str,
    today: dt.date,
) -> dict[str, str]:
    """The case's own rules, as French messages keyed by the field they concern."""
    errors: dict[str, str] = {}
    if case.end_date_required:
        if end_date is None:
            errors["end_date"] = f"Indiquez la date : {case.end_date_label.lower()}."
        elif end_date <= today:
            errors["end_date"] = "La date de fin doit être postérieure à aujourd'hui."
        elif case.end_date == EndDateRule.WITHIN_A_YEAR and end_date > today + relativedelta(
            years=1
        ):
            errors["end_date"] = "Cette date ne peut pas dépasser un an à compter d'aujourd'hui."
        elif case.end_date == EndDateRule.END_OF_FIXED_TERM and hire_date is not None:
            start = max(hire_date, contract.start_date) if case.measure_coverage else hire_date
            if end_date <= hire_date:
                errors["end_date"] = "La fin du contrat doit être postérieure à l'embauche."
            elif case.min_months and end_date < hire_date + relativedelta(months=case.min_months):
                errors["end_date"] = (
                    f"Ce motif concerne les contrats d'au moins {case.min_months} mois."
                )
            elif case.max_months and end_date >= start + relativedelta(months=case.max_months):
                errors["end_date"] = (
                    f"Ce motif concerne les contrats de moins de {case.max_months} mois."
                )
    if case.needs_insurer_name and not insurer_name.strip():
        errors["insurer_name"] = "Indiquez l'organisme assureur de votre contrat individuel."
    if case.hired_before_scheme and hire_date is not None and hire_date >= contract.start_date:
        errors["hire_date"] = (
            "Ce motif concerne les salariés présents lors de la mise en place du régime, le "
            f"{contract.start_date:%d/%m/%Y}."
        )
    return errors
