"""« Adjonction de bénéficiaire » and its removal from the member's space.

The wizard's rules decide who may be covered (``beneficiary_rule_errors``, with the
ages taken on the addition's effective date) and the wizard's save creates the
beneficiary once the back office accepts: no second copy of the rules. The effective
date is the first day of the month after the request, or the birth (adoption) date of a
child declared within the contract's delay (3 months by default). On acceptance the
beneficiary is covered from that date (or no longer covered after it), the card is
renewed and the member is told; contributions follow the beneficiaries over time.
"""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from enrolment.enums import COVERED_STATES, Relationship, SpouseKind
from enrolment.models import Beneficiary, Enrolment
from enrolment.services import wizard
from enrolment.services.card import member_card_issue
from mutuelle.formatting import euros
from mutuelle.models import User

from .enums import BeneficiaryChangeAction, MemberRequestKind, RemovalReason
from .kinds import register_kind
from .models import BeneficiaryChange, ContractMemberSettings, MemberRequest
from .services import member_request_submit

K = MemberRequestKind
A = BeneficiaryChangeAction
# Fields of the wizard's beneficiary kept in the request until it is accepted.
DATA_FIELDS = (
    "relationship",
    "spouse_kind",
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "twin_rank",
    "is_student_or_apprentice",
    "disabled",
    "same_address",
    "address_number",
    "address_street",
    "address_building",
    "postal_code",
    "city",
    "country",
    "phone",
    "teletransmission",
    "attached_to_member_nir",
    "insurance_fund_code",
    "alsace_moselle",
)
# The documents the seed names, per case (label, required).
VITALE = "Attestation de droits à l'Assurance maladie (carte Vitale)"
BIRTH_CERTIFICATE = "Extrait d'acte de naissance"
UNION_PROOF = {
    SpouseKind.PACS: "Attestation de PACS",
    SpouseKind.COHABITING: (
        "Justificatif de concubinage (attestation sur l'honneur et justificatif de domicile commun)"
    ),
}


def member_settings(contract) -> ContractMemberSettings:
    return ContractMemberSettings.objects.filter(
        contract=contract
    ).first() or ContractMemberSettings(contract=contract)


def first_of_next_month(day: dt.date) -> dt.date:
    return day.replace(day=1) + relativedelta(months=1)


def addition_effective_date(
    *, enrolment: Enrolment, relationship: str, birth_date: dt.date | None, today: dt.date
) -> dt.date:
    settings = member_settings(enrolment.contract)
    if (
        relationship == Relationship.CHILD
        and birth_date
        and settings.birth_effective_at_birth
        and birth_date
        <= today
        < birth_date + relativedelta(months=settings.birth_declaration_months)
    ):
        return max(birth_date, enrolment.effective_date)
    return first_of_next_month(today)


def documents_expected(data: dict) -> list[str]:
    labels = [VITALE]
    if data.get("relationship") == Relationship.CHILD:
        labels.append(BIRTH_CERTIFICATE)
    elif data.get("spouse_kind") in UNION_PROOF:
        labels.append(UNION_PROOF[data["spouse_kind"]])
    return labels


def covered_counts(enrolment: Enrolment, *, on: dt.date) -> tuple[int, int]:
    spouses = children = 0
    for b in enrolment.beneficiaries.all():
        if (b.covered_from or enrolment.effective_date) <= on and (
            b.covered_until is None or b.covered_until >= on
        ):
            if b.relationship == Relationship.SPOUSE:
                spouses += 1
            else:
                children += 1
    return spouses, children


def monthly_contribution(enrolment: Enrolment, counts: tuple[int, int]) -> Decimal:
    """What the member pays each month (the part debited from them)."""
    if enrolment.offer is None:
        return Decimal("0.00")
    return wizard.offer_costs(enrolment, enrolment.offer, counts).debited


def contribution_preview(enrolment: Enrolment, *, on: dt.date) -> dict[str, Decimal]:
    """The monthly contribution now, and after adding a spouse or a child."""
    spouses, children = covered_counts(enrolment, on=on)
    return {
        "current": monthly_contribution(enrolment, (spouses, children)),
        "with_spouse": monthly_contribution(enrolment, (spouses + 1, children)),
        "with_child": monthly_contribution(enrolment, (spouses, children + 1)),
    }


def _serialise(data: dict) -> dict:
    out = {}
    for name in DATA_FIELDS:
        value = data.get(name)
        if value is None:
            continue  # the model's default applies
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif not isinstance(value, bool | int | str):
            value = str(value)
        out[name] = value
    return out


def _deserialise(data: dict) -> dict:
    values = dict(data)
    values["birth_date"] = dt.date.fromisoformat(values["birth_date"])
    values["twin_rank"] = int(values.get("twin_rank") or 1)
    return values


def beneficiary_add_submit(
    *,
    enrolment: Enrolment,
    data: dict,
    documents: list[tuple[str, object]],
    by: User,
    submission_key: str = "",
) -> MemberRequest:
    """« Adjonction de bénéficiaire »: ``data`` is the wizard's beneficiary form data."""
    today = timezone.localdate()
    if enrolment.status not in COVERED_STATES:
        raise ValidationError("Votre adhésion ne permet pas d'ajouter un bénéficiaire.")
    effective = addition_effective_date(
        enrolment=enrolment,
        relationship=data.get("relationship"),
        birth_date=data.get("birth_date"),
        today=today,
    )
    errors = wizard.beneficiary_rule_errors(enrolment=enrolment, data=data, on=effective)
    given = {label for label, _ in documents}
    missing = [label for label in documents_expected(data) if label not in given]
    if missing:
        errors.setdefault("documents", []).append("Joignez : " + " ; ".join(missing) + ".")
    if errors:
        raise ValidationError(errors)
    counts = covered_counts(enrolment, on=effective)
    spouse = data.get("relationship") == Relationship.SPOUSE
    after = (counts[0] + 1, counts[1]) if spouse else (counts[0], counts[1] + 1)
    return member_request_submit(
        enrolment=enrolment,
        kind=K.BENEFICIARY_ADD,
        by=by,
        documents=documents,
        submission_key=submission_key,
        build_detail=lambda r: BeneficiaryChange.objects.create(
            request=r,
            action=A.ADD,
            data=_serialise(data),
            nir=data.get("nir") or "",
            effective_date=effective,
            monthly_before=monthly_contribution(enrolment, counts),
            monthly_after=monthly_contribution(enrolment, after),
        ),
    )


def beneficiary_remove_submit(
    *,
    enrolment: Enrolment,
    beneficiary: Beneficiary,
    reason: str,
    documents: list[tuple[str, object]] = (),
    by: User,
    submission_key: str = "",
) -> MemberRequest:
    """Removal from the first day of next month (the cover ends the day before)."""
    errors = {}
    if beneficiary.enrolment_id != enrolment.pk or beneficiary.covered_until is not None:
        errors["beneficiary"] = "Choisissez un bénéficiaire couvert par votre contrat."
    if reason not in RemovalReason.values:
        errors["reason"] = "Choisissez le motif du retrait."
    if errors:
        raise ValidationError(errors)
    effective = first_of_next_month(timezone.localdate())
    counts = covered_counts(enrolment, on=effective)
    spouse = beneficiary.relationship == Relationship.SPOUSE
    after = (counts[0] - 1, counts[1]) if spouse else (counts[0], counts[1] - 1)
    return member_request_submit(
        enrolment=enrolment,
        kind=K.BENEFICIARY_REMOVE,
        by=by,
        documents=documents,
        submission_key=submission_key,
        build_detail=lambda r: BeneficiaryChange.objects.create(
            request=r,
            action=A.REMOVE,
            beneficiary=beneficiary,
            effective_date=effective,
            removal_reason=reason,
            monthly_before=monthly_contribution(enrolment, counts),
            monthly_after=monthly_contribution(enrolment, (max(0, after[0]), max(0, after[1]))),
        ),
    )


def _add_accept(*, member_request: MemberRequest, by) -> str:
    change = member_request.beneficiary_change
    enrolment = Enrolment.objects.select_related("employee", "contract").get(
        pk=member_request.enrolment_id
    )
    data = _deserialise(change.data)
    data["nir"] = change.nir
    errors = wizard.beneficiary_rule_errors(
        enrolment=enrolment, data=data, on=change.effective_date
    )
    if errors:
        raise ValidationError([m for messages in errors.values() for m in messages])
    beneficiary = Beneficiary(**data, covered_from=change.effective_date)
    beneficiary = wizard.beneficiary_save(enrolment=enrolment, beneficiary=beneficiary)
    change.beneficiary = beneficiary
    change.save(update_fields=["beneficiary"])
    member_card_issue(enrolment=enrolment, reason="Ajout de bénéficiaire")
    member_request.record(
        by=by,
        label=f"{beneficiary.first_name} couvert(e) à partir du {change.effective_date:%d/%m/%Y}",
    )
    return (
        f"{beneficiary.first_name} {beneficiary.last_name} est couvert(e) à partir du "
        f"{change.effective_date:%d/%m/%Y}. Votre nouvelle carte mutualiste est dans « Mes "
        f"documents ». Votre cotisation mensuelle devient {euros(change.monthly_after)} à partir "
        f"de cette date."
    )


def _remove_accept(*, member_request: MemberRequest, by) -> str:
    change = member_request.beneficiary_change
    beneficiary = change.beneficiary
    last_day = change.effective_date - dt.timedelta(days=1)
    beneficiary.covered_until = last_day
    beneficiary.save(update_fields=["covered_until"])
    member_card_issue(enrolment=member_request.enrolment, reason="Retrait de bénéficiaire")
    member_request.record(
        by=by, label=f"{beneficiary.first_name} couvert(e) jusqu'au {last_day:%d/%m/%Y}"
    )
    return (
        f"{beneficiary.first_name} {beneficiary.last_name} est couvert(e) jusqu'au "
        f"{last_day:%d/%m/%Y}. Votre cotisation mensuelle devient {euros(change.monthly_after)} "
        f"à partir du {change.effective_date:%d/%m/%Y}."
    )


register_kind(K.BENEFICIARY_ADD, on_accept=_add_accept)
register_kind(K.BENEFICIARY_REMOVE, on_accept=_remove_accept)
