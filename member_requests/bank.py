"""Bank-account changes: « Modification de RIB de cotisation » (a new SEPA mandate,
signed with the enrolment's SMS-code signature) and « Modification de RIB de
prestation » (per beneficiary), and the accounts the other apps read.

A new account is used only once the back office has accepted the request: the benefit
account for payments from then on; the contribution mandate for debits due at least
10 days after the acceptance (the previous mandate is revoked from that date).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone

from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount, Beneficiary, Enrolment
from enrolment.services.wizard import new_mandate_reference
from enrolment.signals import enrolment_validated
from enrolment.signature import membership_form as mf
from enrolment.signature import services as signature
from mutuelle.models import User
from mutuelle.pdf import render_pdf
from mutuelle.validators import (
    normalize_iban,
    validate_bic,
    validate_bic_matches_iban,
    validate_iban,
)

from .enums import MandateStatus, MemberRequestKind
from .kinds import register_kind
from .models import BankAccountChange, MemberRequest, SepaMandate
from .services import member_request_submit

K = MemberRequestKind
M = MandateStatus
# A new contribution account is used for debits due at least this long after the
# back office validated it (the bank needs the mandate before the debit).
MANDATE_NOTICE = dt.timedelta(days=10)
MANDATE_SUBJECT = "mandat"
MANDATE_FORM_VERSION = "MANDAT-SEPA-2026.1"
MANDATE_CONSENT = {
    "mandate": "J'autorise le prélèvement de mes cotisations sur ce compte selon le mandat "
    "SEPA ci-dessus, qui remplace le précédent."
}


def check_bank_details(*, holder: str, iban: str, bic: str) -> dict[str, str]:
    """Every problem of the typed account, as French messages per field."""
    errors = {}
    if not holder.strip():
        errors["holder"] = "Indiquez le titulaire du compte."
    try:
        validate_iban(iban)
    except ValidationError as exc:
        errors["iban"] = exc.messages[0]
    try:
        validate_bic(bic)
    except ValidationError as exc:
        errors["bic"] = exc.messages[0]
    if "iban" not in errors and "bic" not in errors:
        try:
            validate_bic_matches_iban(bic.replace(" ", "").upper(), iban)
        except ValidationError as exc:
            errors["bic"] = exc.messages[0]
    return errors


# --- the accounts in use ----------------------------------------------------------------


def benefit_account_for(beneficiary_or_member: Beneficiary | Enrolment) -> BankAccount | None:
    """The account benefits are paid to: a beneficiary's own account once the back
    office accepted it, else the member's benefit account."""
    if isinstance(beneficiary_or_member, Beneficiary):
        own = BankAccount.objects.filter(
            beneficiary=beneficiary_or_member, purpose=BankAccountPurpose.BENEFITS
        ).first()
        if own is not None:
            return own
        enrolment_id = beneficiary_or_member.enrolment_id
    else:
        enrolment_id = beneficiary_or_member.pk
    return BankAccount.objects.filter(
        enrolment_id=enrolment_id, beneficiary__isnull=True, purpose=BankAccountPurpose.BENEFITS
    ).first()


def _debit_account(enrolment: Enrolment) -> BankAccount | None:
    """The account of the membership form's mandate (the wizard debits the benefit
    account when no separate contribution account was given)."""
    accounts = {a.purpose: a for a in enrolment.bank_accounts.all() if a.beneficiary_id is None}
    return accounts.get(BankAccountPurpose.CONTRIBUTIONS) or accounts.get(
        BankAccountPurpose.BENEFITS
    )


def initial_mandate_row(enrolment: Enrolment) -> SepaMandate | None:
    """The mandate signed with the membership form, unsaved."""
    account = _debit_account(enrolment)
    if not enrolment.sepa_mandate_reference or account is None:
        return None
    return SepaMandate(
        enrolment=enrolment,
        reference=enrolment.sepa_mandate_reference,
        creditor_ics=settings.MUTUELLE["sepa_creditor_ics"],
        holder=account.holder[:70],
        iban=account.iban,
        bic=account.bic,
        status=M.ACTIVE,
        signed_on=timezone.localdate(enrolment.signed_at) if enrolment.signed_at else None,
        usable_from=enrolment.effective_date,
    )


def initial_mandate(enrolment: Enrolment) -> SepaMandate | None:
    """The mandate signed with the membership form, as a row (created once)."""
    if not enrolment.sepa_mandate_reference:
        return None
    existing = SepaMandate.objects.filter(reference=enrolment.sepa_mandate_reference).first()
    if existing is not None:
        return existing
    row = initial_mandate_row(enrolment)
    if row is not None:
        row.save()
    return row


@receiver(enrolment_validated, dispatch_uid="initial_mandate_on_validation")
def _initial_mandate_on_validation(*, enrolment: Enrolment, **kwargs) -> None:
    """The form's mandate gets its row when the enrolment is validated (the direct-debit
    batches then only read mandates; existing ones: migration 0005)."""
    initial_mandate(enrolment)


def mandate_in_force(mandates: list[SepaMandate], on: dt.date) -> SepaMandate | None:
    """Among an enrolment's active or revoked mandates, the one a debit due ``on`` uses."""
    usable = [
        m
        for m in mandates
        if m.status in {M.ACTIVE, M.REVOKED}
        and m.usable_from
        and m.usable_from <= on
        and (m.revoked_from is None or on < m.revoked_from)
    ]
    return max(usable, key=lambda m: (m.usable_from, m.pk), default=None)


# --- contribution account: request, mandate, signature ------------------------------------


def contribution_account_change_submit(
    *,
    enrolment: Enrolment,
    holder: str,
    iban: str,
    bic: str,
    rib: UploadedFile | None,
    by: User,
    submission_key: str = "",
) -> MemberRequest:
    """Send the new contribution account with its RIB; the new mandate (new RUM, the
    mutuelle's ICS) waits for the member's SMS-code signature."""
    errors = check_bank_details(holder=holder, iban=iban, bic=bic)
    if rib is None:
        errors["rib"] = "Joignez le RIB du nouveau compte."
    if errors:
        raise ValidationError(errors)

    def build_detail(member_request: MemberRequest) -> None:
        mandate = SepaMandate.objects.create(
            enrolment=member_request.enrolment,
            reference=new_mandate_reference(enrolment),
            creditor_ics=settings.MUTUELLE["sepa_creditor_ics"],
            holder=holder.strip(),
            iban=normalize_iban(iban),
            bic=bic,
        )
        BankAccountChange.objects.create(
            request=member_request,
            purpose=BankAccountPurpose.CONTRIBUTIONS,
            holder=holder.strip(),
            iban=iban,
            bic=bic,
            mandate=mandate,
        )

    return member_request_submit(
        enrolment=enrolment,
        kind=K.CONTRIBUTION_ACCOUNT,
        by=by,
        documents=[("RIB", rib)],
        submission_key=submission_key,
        build_detail=build_detail,
    )


def mandate_subject(mandate: SepaMandate) -> str:
    return f"{MANDATE_SUBJECT}:{mandate.pk}"


def _mandate_of(attempt) -> SepaMandate:
    pk = int(attempt.subject.partition(":")[2])
    return SepaMandate.objects.select_related("change__request", "enrolment__employee").get(pk=pk)


def mandate_body_html(mandate: SepaMandate) -> str:
    enrolment = mandate.enrolment
    previous = mandate_in_force(list(enrolment.sepa_mandates.all()), timezone.localdate())
    creditor = settings.MUTUELLE["sepa_creditor_name"]
    return render_to_string(
        "member_requests/mandate/body.html",
        {
            "mutuelle": settings.MUTUELLE,
            "mandate": mandate,
            "enrolment": enrolment,
            "employee": enrolment.employee,
            "iban": mf.mask_iban_end(mandate.iban),
            "previous": previous if previous and previous.pk != mandate.pk else None,
            "text": mf.SEPA_MANDATE_TEXT.format(creditor=creditor),
        },
    )


def mandate_pdf(mandate: SepaMandate, *, body_html: str | None = None) -> bytes:
    body = body_html if body_html is not None else mandate_body_html(mandate)
    return render_pdf(
        "member_requests/mandate/document.html",
        {"body": body, "mandate": mandate, "mutuelle": settings.MUTUELLE},
    )


def mandate_signature_attempt(*, mandate: SepaMandate):
    return signature.signature_attempt_for(
        enrolment=mandate.enrolment, subject=mandate_subject(mandate)
    )


def _mandate_open(attempt) -> bool:
    mandate = _mandate_of(attempt)
    return mandate.status == M.TO_SIGN and mandate.change.request.is_undecided


def _mandate_signed(*, attempt, evidence, by, now) -> None:
    mandate = _mandate_of(attempt)
    mandate.status = M.SIGNED
    mandate.signed_on = timezone.localdate(now)
    mandate.evidence = evidence
    mandate.save(update_fields=["status", "signed_on", "evidence"])
    mandate.change.request.record(
        by=by, label=f"Mandat SEPA {mandate.reference} signé par code SMS"
    )


signature.register_signed_document(
    signature.SignedDocument(
        kind=MANDATE_SUBJECT,
        title="le mandat de prélèvement SEPA",
        form_version=MANDATE_FORM_VERSION,
        consent_version=MANDATE_FORM_VERSION,
        consent_texts=MANDATE_CONSENT,
        is_open=_mandate_open,
        body_html=lambda attempt: mandate_body_html(_mandate_of(attempt)),
        document_pdf=lambda attempt, body: mandate_pdf(_mandate_of(attempt), body_html=body),
        on_signed=_mandate_signed,
    )
)


def _contribution_account_accept(*, member_request: MemberRequest, by) -> None:
    change = member_request.bank_account_change
    mandate = SepaMandate.objects.select_for_update().get(pk=change.mandate_id)
    if mandate.status != M.SIGNED:
        raise ValidationError("Le nouveau mandat n'est pas encore signé par l'adhérent.")
    enrolment = member_request.enrolment
    usable_from = timezone.localdate() + MANDATE_NOTICE
    initial_mandate(enrolment)
    enrolment.sepa_mandates.filter(status=M.ACTIVE).exclude(pk=mandate.pk).update(
        status=M.REVOKED, revoked_from=usable_from
    )
    mandate.status = M.ACTIVE
    mandate.usable_from = usable_from
    mandate.save(update_fields=["status", "usable_from"])
    BankAccount.objects.update_or_create(
        enrolment=enrolment,
        beneficiary=None,
        purpose=BankAccountPurpose.CONTRIBUTIONS,
        defaults={"holder": change.holder, "iban": change.iban, "bic": change.bic},
    )
    member_request.record(
        by=by,
        label=f"Nouveau mandat utilisé pour les prélèvements à partir du {usable_from:%d/%m/%Y}",
    )


def _contribution_account_abandon(*, member_request: MemberRequest, by) -> None:
    SepaMandate.objects.filter(
        pk=member_request.bank_account_change.mandate_id, status__in=[M.TO_SIGN, M.SIGNED]
    ).update(status=M.ABANDONED)


register_kind(
    K.CONTRIBUTION_ACCOUNT,
    on_accept=_contribution_account_accept,
    on_refuse=_contribution_account_abandon,
    on_withdraw=_contribution_account_abandon,
)


# --- benefit account ----------------------------------------------------------------------


def benefit_account_change_submit(
    *,
    enrolment: Enrolment,
    beneficiary: Beneficiary | None,
    holder: str,
    iban: str,
    bic: str,
    rib: UploadedFile | None,
    by: User,
    submission_key: str = "",
) -> MemberRequest:
    """A new account for the member's (or one beneficiary's) benefits; it is used for
    payments once the back office has checked it."""
    errors = check_bank_details(holder=holder, iban=iban, bic=bic)
    if rib is None:
        errors["rib"] = "Joignez le RIB du nouveau compte."
    if beneficiary is not None and beneficiary.enrolment_id != enrolment.pk:
        errors["beneficiary"] = "Choisissez un bénéficiaire de votre contrat."
    if errors:
        raise ValidationError(errors)

    def build_detail(member_request: MemberRequest) -> None:
        BankAccountChange.objects.create(
            request=member_request,
            purpose=BankAccountPurpose.BENEFITS,
            beneficiary=beneficiary,
            holder=holder.strip(),
            iban=iban,
            bic=bic,
        )

    return member_request_submit(
        enrolment=enrolment,
        kind=K.BENEFIT_ACCOUNT,
        by=by,
        documents=[("RIB", rib)],
        submission_key=submission_key,
        build_detail=build_detail,
    )


def _benefit_account_accept(*, member_request: MemberRequest, by) -> None:
    change = member_request.bank_account_change
    BankAccount.objects.update_or_create(
        enrolment=member_request.enrolment,
        beneficiary=change.beneficiary,
        purpose=BankAccountPurpose.BENEFITS,
        defaults={"holder": change.holder, "iban": change.iban, "bic": change.bic},
    )


register_kind(K.BENEFIT_ACCOUNT, on_accept=_benefit_account_accept)
