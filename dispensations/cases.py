"""The catalogue of dispensation (opt-out) cases: the one place that states them.

Each case says what the employee reads, its legal basis, whether French law opens it to
every employee or only when the company's act (DUE, agreement, referendum) provides it,
the proofs to attach, whether it ends on a date (and which one) and whether it must be
justified again every year. Forms, services, admin and jobs read this table; none of them
spells a rule out again.

Sources (Code de la sécurité sociale, version in force):
- art. L911-7 III and D911-2: dispensations open by law, whatever the act says
  (1° Complémentaire santé solidaire, 2° individual contract held when the cover is set
  up or at hire, 3° covered elsewhere, including as a dependant, by a) another
  collective scheme (the spouse's employer's — compulsory or optional for the dependant
  since Cass. soc., 7 June 2023, n° 21-23.743, and the BOSS — or the employee's own
  other job), b) the Alsace-Moselle local scheme, c) the CAMIEG, d) the State's or local
  authorities' agents' mutual, e) a « Madelin » group contract; 4° CDD or mission whose
  collective cover would last under 3 months, with an individual contrat responsable).
  The 1° and 3° cases have no time condition: a member may ask during membership;
- art. R242-1-6: dispensations the act may provide: 1° employees present when the
  scheme was set up by unilateral decision (DUE), whether or not they contribute; 2°
  a) CDD/apprentices of 12 months or more with individual cover, b) of under 12 months,
  c) part-time employees whose contribution would be at least 10 % of gross pay;
- loi n° 89-1009 du 31 décembre 1989 (loi Évin), art. 11: employees present when the
  scheme was set up by unilateral decision with an employee contribution.

Contract lengths: the end date entered is the last day worked, so a contract lasts N
months when the day after its end is the start plus N months (1/1–31/12 is 12 months).
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
    # Only open when the employee was hired before the scheme was set up by DUE.
    hired_before_scheme: bool = False
    # Needs the scheme set up by DUE with an employee contribution (loi Évin, art. 11).
    needs_employee_contribution: bool = False
    # No time condition: an active member may ask for it too (D911-2 1° and 3°).
    during_membership: bool = False
    # The employer owes the « versement santé » (art. L911-7-1 CSS) to this employee.
    versement_sante: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def proof_required(self) -> bool:
        return bool(self.proofs)

    @property
    def end_date_required(self) -> bool:
        return self.end_date != EndDateRule.NONE


COVERED_ELSEWHERE = (
    "Salarié bénéficiant par ailleurs, y compris en tant qu'ayant droit, "
    "d'une couverture collective"
)
INDIVIDUAL_OR_SOLIDARITY = "Salarié couvert à titre individuel"
FIXED_TERM = "Salarié ou apprenti en contrat à durée déterminée ou de mission"
OTHER = "Autres situations"

_D911_2_3 = "Art. L911-7 III et D911-2 3° {} CSS"
_CARD = "Copie de la carte de mutuelle (carte de tiers payant)"


def _covered_elsewhere(**kwargs) -> DispensationCase:
    return DispensationCase(
        source=Source.LAW,
        group=COVERED_ELSEWHERE,
        yearly_rejustification=True,
        during_membership=True,
        **kwargs,
    )


CASES: tuple[DispensationCase, ...] = (
    _covered_elsewhere(
        code="spouse_employer",
        label=(
            "Salarié couvert en tant qu'ayant droit par le régime collectif frais de santé de "
            "l'employeur de son conjoint (partenaire de PACS ou concubin), que cette "
            "couverture d'ayant droit soit obligatoire ou facultative"
        ),
        short_label="Ayant droit du régime de l'employeur du conjoint",
        legal_basis=_D911_2_3.format("a)") + " ; Cass. soc., 7 juin 2023, n° 21-23.743 ; BOSS",
        proofs=(
            "Attestation de l'employeur du conjoint ou de son organisme assureur indiquant que "
            "le salarié est couvert en tant qu'ayant droit, pour l'année en cours",
            _CARD,
        ),
    ),
    _covered_elsewhere(
        code="other_job",
        label=(
            "Salarié couvert à titre obligatoire, au titre d'un autre emploi, par le régime "
            "collectif frais de santé de cet autre employeur"
        ),
        short_label="Couvert au titre d'un autre emploi",
        legal_basis=_D911_2_3.format("a)"),
        proofs=(
            "Attestation de l'autre employeur ou de son organisme assureur indiquant "
            "l'affiliation obligatoire au régime collectif, pour l'année en cours",
        ),
    ),
    _covered_elsewhere(
        code="alsace_moselle",
        label="Régime local d'assurance maladie du Bas-Rhin, du Haut-Rhin et de la Moselle",
        short_label="Régime local Alsace-Moselle",
        legal_basis=_D911_2_3.format("b)"),
        proofs=("Attestation d'affiliation au régime local (attestation de droits)",),
    ),
    _covered_elsewhere(
        code="camieg",
        label="Régime complémentaire relevant de la CAMIEG (industries électriques et gazières)",
        short_label="CAMIEG",
        legal_basis=_D911_2_3.format("c)"),
        proofs=("Attestation d'affiliation à la CAMIEG",),
    ),
    _covered_elsewhere(
        code="public_agents",
        label="Mutuelle des agents de l'État ou des collectivités territoriales",
        short_label="Mutuelle de la fonction publique",
        legal_basis=_D911_2_3.format("d)") + " ; décrets n° 2007-1373 et n° 2011-1474",
        proofs=("Attestation d'adhésion à la mutuelle", _CARD),
    ),
    _covered_elsewhere(
        code="madelin",
        label="Contrat d'assurance de groupe dit « Madelin » (travailleurs indépendants)",
        short_label="Contrat Madelin",
        legal_basis=_D911_2_3.format("e)") + " ; art. L144-1 du Code des assurances",
        proofs=("Attestation d'adhésion au contrat Madelin",),
    ),
    DispensationCase(
        code="individual_contract",
        label=(
            "Salarié déjà couvert par une assurance individuelle frais de santé au moment de "
            "la mise en place des garanties ou de l'embauche (dispense possible jusqu'à "
            "l'échéance annuelle du contrat individuel)"
        ),
        short_label="Contrat individuel à la mise en place ou à l'embauche",
        legal_basis="Art. L911-7 III et D911-2 2° CSS",
        source=Source.LAW,
        group=INDIVIDUAL_OR_SOLIDARITY,
        proofs=("Copie de la carte de mutuelle ou attestation du contrat individuel",),
        end_date=EndDateRule.WITHIN_A_YEAR,
        end_date_label="Échéance annuelle du contrat individuel",
    ),
    DispensationCase(
        code="solidarity_cover",
        label="Salarié bénéficiaire de la Complémentaire santé solidaire",
        short_label="Complémentaire santé solidaire",
        legal_basis="Art. L911-7 III et D911-2 1° CSS ; art. L861-1 CSS",
        source=Source.LAW,
        group=INDIVIDUAL_OR_SOLIDARITY,
        proofs=("Attestation de droits à la Complémentaire santé solidaire",),
        end_date=EndDateRule.WITHIN_A_YEAR,
        end_date_label="Fin des droits à la Complémentaire santé solidaire",
        during_membership=True,
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
        proofs=(
            "Attestation de l'organisme assureur indiquant que le contrat individuel est un "
            "contrat responsable",
        ),
        end_date=EndDateRule.END_OF_FIXED_TERM,
        end_date_label="Date de fin du contrat de travail",
        needs_insurer_name=True,
        max_months=3,
        measure_coverage=True,
        versement_sante=True,
        notes=(
            "Indiquez l'organisme assureur de votre contrat individuel responsable et joignez "
            "son attestation. Votre employeur vous versera le « versement santé ».",
        ),
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
        code="due_present_at_setup",
        label=(
            "Salarié présent dans l'entreprise lors de la mise en place du régime par décision "
            "unilatérale de l'employeur, qu'il cotise ou non"
        ),
        short_label="Salarié présent à la mise en place par DUE",
        legal_basis="Art. R242-1-6 1° CSS (si l'acte de mise en place le prévoit)",
        source=Source.ACT,
        group=OTHER,
        hired_before_scheme=True,
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
        needs_employee_contribution=True,
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
YEARLY_CASES: tuple[DispensationCase, ...] = tuple(c for c in CASES if c.yearly_rejustification)


def get_case(code: str) -> DispensationCase:
    return CASES_BY_CODE[code]


def _unilateral_decision(contract) -> tuple[dt.date | None, bool]:
    """The date the scheme was set up by DUE (None if it was not) and whether employees
    contribute, from the contract's dispensation settings."""
    settings = getattr(contract, "dispensation_settings", None)
    if settings is None:
        return None, False
    return settings.unilateral_decision_date, settings.unilateral_decision_with_contribution


def cases_open_for(
    contract, *, hire_date: dt.date | None = None, during_membership: bool = False
) -> list[DispensationCase]:
    """The cases an employee of this contract may choose.

    Cases by law are always open, except those of an employee present when the scheme was
    set up by DUE (loi Évin's, which needs an employee contribution, and R242-1-6 1°,
    which the act must provide): they need the DUE's date and, when the hire date is
    known, a hire before it. Act-only cases need the contract's settings to list them.
    An active member (``during_membership``) may only choose cases without a time
    condition (D911-2 1° and 3°).
    """
    settings = getattr(contract, "dispensation_settings", None)
    allowed_act = set(settings.act_cases) if settings else set()
    due_date, with_contribution = _unilateral_decision(contract)
    opened = []
    for case in CASES:
        if during_membership and not case.during_membership:
            continue
        if case.source == Source.ACT and case.code not in allowed_act:
            continue
        if case.hired_before_scheme:
            if due_date is None or (case.needs_employee_contribution and not with_contribution):
                continue
            if hire_date is not None and hire_date >= due_date:
                continue
        opened.append(case)
    return opened


def lasts_at_least(start: dt.date, last_day: dt.date, months: int) -> bool:
    """Whether a period from ``start`` to ``last_day`` (both worked) lasts ``months`` months
    or more: the day after its end reaches the start plus ``months`` months."""
    return last_day + dt.timedelta(days=1) >= start + relativedelta(months=months)


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
            if end_date < hire_date:
                errors["end_date"] = "La fin du contrat doit être postérieure à l'embauche."
            elif case.min_months and not lasts_at_least(hire_date, end_date, case.min_months):
                errors["end_date"] = (
                    f"Ce motif concerne les contrats d'au moins {case.min_months} mois."
                )
            elif case.max_months and lasts_at_least(start, end_date, case.max_months):
                errors["end_date"] = (
                    f"Ce motif concerne les contrats de moins de {case.max_months} mois."
                )
    if case.needs_insurer_name and not insurer_name.strip():
        errors["insurer_name"] = "Indiquez l'organisme assureur de votre contrat individuel."
    if case.hired_before_scheme and hire_date is not None:
        due_date, _ = _unilateral_decision(contract)
        if due_date is None or hire_date >= due_date:
            errors["hire_date"] = (
                "Ce motif concerne les salariés présents lors de la mise en place du régime"
                + (f", le {due_date:%d/%m/%Y}." if due_date else ".")
            )
    return errors
