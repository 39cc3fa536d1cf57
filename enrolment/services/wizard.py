"""The enrolment wizard's rules and saves: profile, beneficiaries, offer, bank details.

Each ``*_save`` is atomic and records the furthest step reached (``wizard_step``), so
the employee resumes on any device where they stopped. Rule checks return French
messages per field, which the forms show next to the fields.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mutuelle.models import Offer
from mutuelle.validators import (
    nir_consistency_errors,
    normalize_iban,
    validate_bic,
    validate_bic_matches_iban,
    validate_iban,
    validate_insurance_fund_code,
    validate_nir,
)

from ..enums import BankAccountPurpose, EnrolmentStatus, FamilyStatus, Relationship, SpouseKind
from ..models import BankAccount, Beneficiary, Employee, Enrolment

# Wizard steps in order; « recap » belongs to the stepper's « Signature électronique ».
STEPS = ("profile", "beneficiaries", "offers", "bank", "recap")
# Set once the recap is validated: the signature pages take over.
SIGNATURE_STEP = "signature"


def step_index(step: str) -> int:
    if step == SIGNATURE_STEP:
        return len(STEPS)
    return STEPS.index(step) if step in STEPS else -1


def step_reached(enrolment: Enrolment, step: str) -> bool:
    return step_index(enrolment.wizard_step) >= step_index(step)


def _advance(enrolment: Enrolment, to_step: str) -> None:
    if step_index(to_step) > step_index(enrolment.wizard_step):
        enrolment.wizard_step = to_step
        enrolment.save(update_fields=["wizard_step", "updated_at"])


def wizard_start(*, enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.IN_PROGRESS:
        _advance(enrolment, "profile")


# Marriage and PACS need both partners of age; a cohabitant may be younger.
ADULT_UNIONS = frozenset({SpouseKind.MARRIED, SpouseKind.PACS})


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# ---- Profile --------------------------------------------------------------------------

# Useful but not blocking: listed by the soft check (« Souhaitez-vous continuer ? »).
PROFILE_SOFT_FIELDS = {
    "family_status": "situation familiale",
    "phone": "téléphone",
    "insurance_fund_code": "organisme de sécurité sociale",
}


def profile_soft_missing(data: dict) -> dict[str, str]:
    """The recommended fields left empty: ``field → label``."""
    missing = {}
    for field, label in PROFILE_SOFT_FIELDS.items():
        if field == "insurance_fund_code" and not data.get("teletransmission"):
            continue
        if not data.get(field):
            missing[field] = label
    return missing


def profile_rule_errors(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    birth_date = data.get("birth_date")
    today = timezone.localdate()
    if birth_date and not (today.replace(year=today.year - 100) < birth_date <= today):
        errors["birth_date"] = ["La date de naissance n'est pas plausible."]
    elif birth_date and age_on(birth_date, today) < 14:
        errors["birth_date"] = ["Un salarié a au moins 14 ans : vérifiez la date de naissance."]
    nir = data.get("nir")
    if nir:
        messages = nir_errors(nir, civility=data.get("civility"), birth_date=birth_date)
        if messages:
            errors["nir"] = messages
    fund = data.get("insurance_fund_code")
    if fund:
        try:
            validate_insurance_fund_code(fund)
        except ValidationError as exc:
            errors["insurance_fund_code"] = exc.messages
    return errors


def nir_errors(nir: str, *, civility: str | None, birth_date: dt.date | None) -> list[str]:
    """The key first (a wrong key makes the rest meaningless), then the consistency of
    the sex and birth digits with the person: the same check for the member and their
    beneficiaries."""
    try:
        validate_nir(nir)
    except ValidationError as exc:
        return exc.messages
    return nir_consistency_errors(nir, civility=civility, birth_date=birth_date)


def profile_save(*, enrolment: Enrolment, employee: Employee) -> None:
    """Save the member's profile (already validated by the form) and keep the account's
    name in step with it."""
    with transaction.atomic():
        employee.save()
        user = employee.user
        if user is not None and (
            user.first_name != employee.first_name or user.last_name != employee.last_name
        ):
            user.first_name, user.last_name = employee.first_name, employee.last_name
            user.save(update_fields=["first_name", "last_name"])
        _advance(enrolment, "beneficiaries")


# ---- Beneficiaries ---------------------------------------------------------------------


def beneficiary_rule_errors(
    *,
    enrolment: Enrolment,
    data: dict,
    instance: Beneficiary | None = None,
    on: dt.date | None = None,
) -> dict[str, list[str]]:
    """The contract's rules on who may be covered, with a message per field. Ages are
    taken on ``on``: the enrolment's effective date in the wizard, the addition's
    effective date for a beneficiary added later from the member's space."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # Beneficiaries removed later (their cover has an end) no longer count.
    others = enrolment.beneficiaries.filter(covered_until__isnull=True)
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    relationship = data.get("relationship")
    birth_date = data.get("birth_date")
    effective = on or enrolment.effective_date
    contract = enrolment.contract
    today = timezone.localdate()
    if birth_date and (birth_date > today or birth_date.year < today.year - 120):
        add("birth_date", "La date de naissance n'est pas plausible.")
        birth_date = None
    if relationship == Relationship.SPOUSE:
        if others.filter(relationship=Relationship.SPOUSE).exists():
            add("relationship", "Vous avez déjà déclaré un conjoint : un seul est possible.")
        if not data.get("spouse_kind"):
            add(
                "spouse_kind",
                "Indiquez le lien avec votre conjoint : marié(e), pacsé(e) ou concubin(e).",
            )
        if birth_date and age_on(birth_date, effective) < 16:
            add("birth_date", "Un conjoint a au moins 16 ans à la date d'effet du contrat.")
        elif (
            birth_date
            and data.get("spouse_kind") in ADULT_UNIONS
            and age_on(birth_date, today) < 18
        ):
            # Marriage and PACS are open to adults only (art. 144 and 515-1 Code civil).
            add("birth_date", "Un conjoint marié ou pacsé a au moins 18 ans.")
    elif relationship == Relationship.CHILD and birth_date:
        age = age_on(birth_date, effective)
        student = bool(data.get("is_student_or_apprentice"))
        on = f"{effective:%d/%m/%Y}"
        if data.get("disabled") and contract.disabled_child_no_age_limit:
            pass  # covered without age limit where the contract says so
        elif student and age >= contract.student_child_age_limit:
            add(
                "birth_date",
                f"Un enfant étudiant ou apprenti est couvert jusqu'à ses "
                f"{contract.student_child_age_limit} ans : il en aura {age} à la date "
                f"d'effet ({on}).",
            )
        elif not student and age >= contract.child_age_limit:
            add(
                "birth_date",
                f"Un enfant est couvert jusqu'à ses {contract.child_age_limit} ans "
                f"({contract.student_child_age_limit} ans s'il est étudiant ou apprenti) : "
                f"il en aura {age} à la date d'effet ({on}).",
            )
        member_birth = enrolment.employee.birth_date
        if member_birth and birth_date <= member_birth:
            add("birth_date", "Un enfant ne peut pas être né avant vous.")
        rank = data.get("twin_rank") or 1
        if others.filter(
            relationship=Relationship.CHILD, birth_date=birth_date, twin_rank=rank
        ).exists():
            add(
                "twin_rank",
                "Un autre enfant né le même jour a déjà ce rang gémellaire : des jumeaux "
                "doivent avoir des rangs différents (1, 2, …).",
            )
    if data.get("teletransmission"):
        if data.get("attached_to_member_nir"):
            if relationship != Relationship.CHILD:
                add(
                    "attached_to_member_nir",
                    "Seul un enfant peut être rattaché à votre numéro de sécurité sociale.",
                )
            elif not enrolment.employee.nir:
                add(
                    "attached_to_member_nir",
                    "Renseignez d'abord votre propre numéro de sécurité sociale "
                    "dans « Mon profil ».",
                )
        elif not data.get("nir"):
            add(
                "nir",
                "Indiquez le numéro de sécurité sociale du bénéficiaire, ou rattachez "
                "l'enfant à votre numéro.",
            )
    nir = data.get("nir")
    if nir and not data.get("attached_to_member_nir"):
        for message in nir_errors(nir, civility=data.get("civility"), birth_date=birth_date):
            add("nir", message)
    fund = data.get("insurance_fund_code")
    if fund:
        try:
            validate_insurance_fund_code(fund)
        except ValidationError as exc:
            add("insurance_fund_code", exc.messages[0])
    return errors


# The member's family status that a declared spouse implies, when the profile left it
# blank (it is optional there, and asked before the beneficiaries).
FAMILY_STATUS_OF_SPOUSE = {
    SpouseKind.MARRIED: FamilyStatus.MARRIED,
    SpouseKind.PACS: FamilyStatus.PACS,
    SpouseKind.COHABITING: FamilyStatus.COHABITING,
}


def beneficiary_save(*, enrolment: Enrolment, beneficiary: Beneficiary) -> Beneficiary:
    with transaction.atomic():
        beneficiary.enrolment = enrolment
        if beneficiary.relationship != Relationship.SPOUSE:
            beneficiary.spouse_kind = ""
        if beneficiary.relationship != Relationship.CHILD:
            beneficiary.is_student_or_apprentice = False
            beneficiary.disabled = False
            beneficiary.twin_rank = 1
        if beneficiary.attached_to_member_nir or not beneficiary.teletransmission:
            beneficiary.attached_to_member_nir = (
                beneficiary.attached_to_member_nir and beneficiary.teletransmission
            )
            if beneficiary.attached_to_member_nir:
                beneficiary.nir = ""
        if beneficiary.same_address:
            employee = enrolment.employee
            for field in (
                "address_floor",
                "address_building",
                "address_number",
                "address_street",
                "address_locality",
                "postal_code",
                "city",
                "country",
            ):
                setattr(beneficiary, field, getattr(employee, field))
        beneficiary.save()
        implied = FAMILY_STATUS_OF_SPOUSE.get(beneficiary.spouse_kind)
        employee = enrolment.employee
        if implied and not employee.family_status:
            employee.family_status = implied
            employee.save(update_fields=["family_status", "updated_at"])
    return beneficiary


def beneficiary_remove(*, enrolment: Enrolment, beneficiary: Beneficiary) -> None:
    if beneficiary.enrolment_id != enrolment.pk:
        raise ValueError("beneficiary of another enrolment")
    beneficiary.delete()


def beneficiaries_done(*, enrolment: Enrolment) -> None:
    _advance(enrolment, "offers")


# ---- Offer and costs -------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    total: Decimal
    debited: Decimal

    @property
    def debit_applies(self) -> bool:
        return self.debited > 0


def beneficiary_counts(enrolment: Enrolment) -> tuple[int, int]:
    spouses = children = 0
    for b in enrolment.beneficiaries.all():
        if b.relationship == Relationship.SPOUSE:
            spouses += 1
        else:
            children += 1
    return spouses, children


def offer_costs(enrolment: Enrolment, offer: Offer, counts: tuple[int, int]) -> Costs:
    """Monthly cost for the member and the beneficiaries entered, and the part debited
    from the employee's account as the contract says (same rule as the signed form)."""
    spouses, children = counts
    beneficiaries = offer.spouse_monthly_cost * spouses + offer.child_monthly_cost * children
    contract = enrolment.contract
    debited = Decimal("0.00")
    if contract.employee_debit:
        debited += offer.member_monthly_cost
    if contract.beneficiaries_debited:
        debited += beneficiaries
    return Costs(total=offer.member_monthly_cost + beneficiaries, debited=debited)


def available_offers(enrolment: Enrolment):
    return Offer.objects.filter(contract=enrolment.contract, group=enrolment.group).order_by(
        "display_order", "pk"
    )


def offer_choose(*, enrolment: Enrolment, offer: Offer) -> None:
    if offer.group_id != enrolment.group_id or offer.contract_id != enrolment.contract_id:
        raise ValueError("offer not open to this insured group")
    with transaction.atomic():
        enrolment.offer = offer
        enrolment.save(update_fields=["offer", "updated_at"])
        _advance(enrolment, "bank")


def debit_applies(enrolment: Enrolment) -> bool:
    if enrolment.offer is None:
        return False
    return offer_costs(enrolment, enrolment.offer, beneficiary_counts(enrolment)).debit_applies


# ---- Bank details ----------------------------------------------------------------------


def bank_account_errors(*, iban: str, bic: str) -> dict[str, list[str]]:
    """IBAN checksum and French RIB key, BIC format, BIC country consistent with IBAN."""
    errors: dict[str, list[str]] = {}
    try:
        validate_iban(iban)
    except ValidationError as exc:
        errors["iban"] = exc.messages
    try:
        validate_bic(bic)
    except ValidationError as exc:
        errors["bic"] = exc.messages
    if not errors:
        try:
            validate_bic_matches_iban(bic, iban)
        except ValidationError as exc:
            errors["bic"] = exc.messages
    return errors


@dataclass
class AccountData:
    holder: str
    iban: str
    bic: str


def _upsert(enrolment, purpose, data: AccountData | None, beneficiary=None) -> None:
    existing = BankAccount.objects.filter(
        enrolment=enrolment, purpose=purpose, beneficiary=beneficiary
    ).first()
    if data is None:
        if existing is not None:
            existing.delete()
        return
    account = existing or BankAccount(enrolment=enrolment, purpose=purpose, beneficiary=beneficiary)
    account.holder = data.holder.strip()
    account.iban = normalize_iban(data.iban)
    account.bic = data.bic
    account.save()


def new_mandate_reference(enrolment: Enrolment) -> str:
    """Référence unique de mandat (RUM), at most 35 characters."""
    return (
        f"RUM-{enrolment.contract.number}-{enrolment.member_number}-{secrets.token_hex(3).upper()}"
    )[:35]


def bank_details_save(
    *,
    enrolment: Enrolment,
    benefits: AccountData,
    contributions: AccountData | None,
    debit_frequency: str = "",
    debit_day: int | None = None,
    per_beneficiary: dict[int, AccountData | None] | None = None,
) -> None:
    """Save the RIBs. ``contributions`` is the debit account (the benefits one when the
    employee ticked « RIB identique »), None when nothing is debited from the employee."""
    with transaction.atomic():
        _upsert(enrolment, BankAccountPurpose.BENEFITS, benefits)
        _upsert(enrolment, BankAccountPurpose.CONTRIBUTIONS, contributions)
        beneficiaries = {b.pk: b for b in enrolment.beneficiaries.all()}
        for pk, data in (per_beneficiary or {}).items():
            if pk in beneficiaries:
                _upsert(enrolment, BankAccountPurpose.BENEFITS, data, beneficiary=beneficiaries[pk])
        if contributions is not None:
            enrolment.debit_frequency = debit_frequency
            enrolment.debit_day = debit_day
            if not enrolment.sepa_mandate_reference:
                enrolment.sepa_mandate_reference = new_mandate_reference(enrolment)
        else:
            enrolment.debit_frequency = ""
            enrolment.debit_day = None
        enrolment.save(
            update_fields=["debit_frequency", "debit_day", "sepa_mandate_reference", "updated_at"]
        )
        _advance(enrolment, "recap")


# ---- Recap -----------------------------------------------------------------------------


def wizard_missing(enrolment: Enrolment) -> list[tuple[str, str]]:
    """What still prevents validating the recap: (step, French message)."""
    missing: list[tuple[str, str]] = []
    employee = enrolment.employee
    if not (employee.address_street and employee.postal_code and employee.city):
        missing.append(("profile", "votre adresse postale"))
    if not employee.nir:
        missing.append(("profile", "votre numéro de sécurité sociale"))
    if enrolment.offer_id is None:
        missing.append(("offers", "le choix de votre garantie"))
    accounts = {a.purpose for a in enrolment.bank_accounts.all() if a.beneficiary_id is None}
    if BankAccountPurpose.BENEFITS not in accounts:
        missing.append(("bank", "votre RIB pour le remboursement des prestations"))
    if debit_applies(enrolment) and (
        BankAccountPurpose.CONTRIBUTIONS not in accounts
        or not enrolment.debit_day
        or not enrolment.debit_frequency
    ):
        missing.append(("bank", "le RIB, la fréquence et le jour de prélèvement des cotisations"))
    return missing


def wizard_validate(*, enrolment: Enrolment) -> list[tuple[str, str]]:
    """Validate the recap: the signature may start once nothing is missing."""
    missing = wizard_missing(enrolment)
    if not missing:
        with transaction.atomic():
            if debit_applies(enrolment) and not enrolment.sepa_mandate_reference:
                enrolment.sepa_mandate_reference = new_mandate_reference(enrolment)
                enrolment.save(update_fields=["sepa_mandate_reference", "updated_at"])
            _advance(enrolment, SIGNATURE_STEP)
    return missing
