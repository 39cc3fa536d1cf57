"""The demo member's requests and contributions (``seed_demo``), through the services:
one request of each kind in some state, the contribution instalments since the
effective date with their direct-debit batches (marked sent), and one instalment
returned by the bank (arrears to pay on the development payment page).

Idempotent: nothing is done again once the member has requests.
"""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from contributions.enums import InstalmentStatus
from contributions.models import Instalment
from contributions.services import (
    debit_batch_build,
    debit_batch_mark_sent,
    debit_returns_record,
    instalments_generate,
)
from enrolment.enums import Relationship
from enrolment.models import Enrolment
from enrolment.signature import membership_form as mf
from enrolment.signature import services as signature
from member_requests.bank import (
    benefit_account_change_submit,
    contribution_account_change_submit,
    mandate_body_html,
    mandate_signature_attempt,
)
from member_requests.beneficiaries import (
    BIRTH_CERTIFICATE,
    VITALE,
    beneficiary_add_submit,
    beneficiary_remove_submit,
)
from member_requests.enums import PortabilityEndCause, RemovalReason
from member_requests.models import MemberRequest
from member_requests.portability import portability_declare, portability_end_declare
from member_requests.services import (
    member_request_accept,
    member_request_ask_complement,
    member_request_submit,
    member_request_take_up,
)
from mutuelle.models import OutboxMessage
from mutuelle.pdf import render_pdf


def _pdf(name: str, title: str) -> SimpleUploadedFile:
    content = render_pdf("demo/document.html", {"title": title})
    return SimpleUploadedFile(name, content, "application/pdf")


def _sign_mandate(mandate, user) -> None:
    attempt = mandate_signature_attempt(mandate=mandate)
    fingerprint = mf.fingerprint(mandate_body_html(mandate))
    signature.signature_form_viewed(attempt=attempt, fingerprint=fingerprint, how="page")
    signature.signature_consents_give(
        attempt=attempt, fingerprint=fingerprint, ticked=frozenset({"mandate"})
    )
    challenge = signature.signature_code_send(attempt=attempt)
    sms = OutboxMessage.objects.get(key=f"signature-code:{challenge.pk}")
    signature.signature_code_verify(
        attempt=attempt,
        code=re.search(r"\b(\d{6})\b", sms.body_text).group(1),
        by=user,
        origin=signature.SignatureContext(ip_address="127.0.0.1", user_agent="seed_demo"),
    )


def demo_requests_seed(*, enrolment: Enrolment, staff, today: dt.date) -> None:
    if MemberRequest.objects.filter(enrolment=enrolment).exists():
        return
    user = enrolment.employee.user
    # Autre demande: taken up by the back office.
    other = member_request_submit(
        enrolment=enrolment,
        kind="autre",
        by=user,
        message="Je souhaite recevoir mes relevés de prestations par courrier postal.",
    )
    member_request_take_up(member_request=other, by=staff)
    # A newborn declared within 3 months: covered from birth once accepted.
    beneficiary_add_submit(
        enrolment=enrolment,
        data={
            "relationship": Relationship.CHILD,
            "civility": "MME",
            "first_name": "Emma",
            "last_name": "LEFEBVRE",
            "birth_date": today - dt.timedelta(days=20),
            "twin_rank": 1,
            "same_address": True,
            "teletransmission": True,
            "attached_to_member_nir": True,
            "alsace_moselle": False,
        },
        documents=[
            (VITALE, _pdf("attestation-vitale.pdf", "Attestation de droits")),
            (BIRTH_CERTIFICATE, _pdf("acte-naissance.pdf", "Extrait d'acte de naissance")),
        ],
        by=user,
    )
    # Removal of a twin covered elsewhere: the back office asks for a proof.
    louis = enrolment.beneficiaries.get(first_name="Louis")
    removal = beneficiary_remove_submit(
        enrolment=enrolment, beneficiary=louis, reason=RemovalReason.OWN_COVER, by=user
    )
    member_request_ask_complement(
        member_request=removal,
        by=staff,
        message="Joignez l'attestation de la nouvelle complémentaire santé de Louis.",
    )
    # New contribution account: mandate signed by SMS code, waiting for the back office.
    contribution = contribution_account_change_submit(
        enrolment=enrolment,
        holder="Sophie Lefebvre",
        iban="FR7630004000031234567890143",
        bic="BNPAFRPP",
        rib=_pdf("rib.pdf", "Relevé d'identité bancaire"),
        by=user,
    )
    _sign_mandate(contribution.bank_account_change.mandate, user)
    # Antoine paid on his own account: accepted.
    antoine = enrolment.beneficiaries.get(first_name="Antoine")
    benefit = benefit_account_change_submit(
        enrolment=enrolment,
        beneficiary=antoine,
        holder="Antoine Lefebvre",
        iban="FR7614505000010800112233435",
        bic="CEPAFRPP145",
        rib=_pdf("rib-antoine.pdf", "RIB d'Antoine Lefebvre"),
        by=user,
    )
    member_request_accept(member_request=benefit, by=staff)


def demo_portability_seed(*, enrolment: Enrolment, staff, today: dt.date) -> None:
    """The former employee in portability: notice accepted, new job declared."""
    if MemberRequest.objects.filter(enrolment=enrolment).exists():
        return
    user = enrolment.employee.user
    declaration = portability_declare(
        enrolment=enrolment,
        notice=_pdf("attestation-are.pdf", "Attestation France Travail (ARE)"),
        by=user,
    )
    member_request_accept(member_request=declaration, by=staff)
    portability_end_declare(
        enrolment=enrolment,
        cause=PortabilityEndCause.NEW_JOB,
        end_date=today + dt.timedelta(days=15),
        by=user,
    )


def demo_contributions_seed(*, enrolment: Enrolment, staff, today: dt.date) -> None:
    """Instalments since the effective date, each month's pain.008 sent, the last one
    returned for insufficient funds."""
    instalments_generate(enrolment=enrolment, until=today)
    due = (
        Instalment.objects.filter(
            enrolment=enrolment, status=InstalmentStatus.SCHEDULED, due_date__lte=today
        )
        .order_by("due_date")
        .values_list("due_date", flat=True)
    )
    for collection_date in list(due):
        batch = debit_batch_build(collection_date=collection_date, by=staff)
        debit_batch_mark_sent(batch=batch, by=staff)
    last = (
        Instalment.objects.filter(enrolment=enrolment, status=InstalmentStatus.PRESENTED)
        .order_by("-due_date")
        .first()
    )
    if (
        last is not None
        and not Instalment.objects.filter(
            enrolment=enrolment, status=InstalmentStatus.ARREARS
        ).exists()
    ):
        debit_returns_record(returns=[(last.end_to_end_id, "AM04")], by=staff)
