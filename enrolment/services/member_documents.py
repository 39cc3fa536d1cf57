"""« Mes documents »: the one way a document reaches a member's space.

Every producer (the card, the attestation, copies of letters and e-mails, statements,
contribution schedules) calls :func:`member_document_add`; the file goes to the private
storage under a random name and is only ever served by a view that checks its owner.
"""

import datetime as dt
import os

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from mutuelle.models import OutboxMessage
from mutuelle.pdf import render_pdf

from ..enums import COVERED_STATES, EnrolmentStatus, MemberDocumentKind
from ..member_models import MemberDocument
from ..models import Enrolment


def _clean_filename(filename: str) -> str:
    """The download name: no folders, no leading dots, safe characters only."""
    base = os.path.basename(filename.replace("\\", "/")).lstrip(".")
    try:
        return get_valid_filename(base)[:120]
    except SuspiciousFileOperation:  # nothing usable left
        return "document.pdf"


def member_document_add(
    *,
    enrolment: Enrolment,
    kind: str,
    title: str,
    content: bytes,
    filename: str,
    content_type: str = "application/pdf",
    document_date: dt.date | None = None,
    key: str = "",
) -> MemberDocument:
    """Store ``content`` as a document of the member. With a ``key``, a second call for
    the same intent returns the first document and stores nothing."""
    if key:
        existing = MemberDocument.objects.filter(key=key).first()
        if existing is not None:
            return existing
    document = MemberDocument(
        enrolment=enrolment,
        kind=kind,
        title=title[:200],
        document_date=document_date or timezone.localdate(),
        filename=_clean_filename(filename),
        content_type=content_type,
        size=len(content),
        key=key,
    )
    document.file.save(document.filename, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # A concurrent call with the same key won: keep its document, drop our file.
        document.file.delete(save=False)
        if key:
            return MemberDocument.objects.get(key=key)
        raise
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def member_document_copy_message(
    *, enrolment: Enrolment, message: OutboxMessage | None, title: str
) -> MemberDocument | None:
    """File a dated PDF copy of an e-mail sent to the member (validation, portability…),
    so that « Mes documents » keeps every letter even once the mailbox is emptied."""
    if message is None:
        return None
    pdf = render_pdf(
        "enrolment/documents/message_copy.html",
        {"message": message, "enrolment": enrolment, "mutuelle": settings.MUTUELLE},
    )
    return member_document_add(
        enrolment=enrolment,
        kind=MemberDocumentKind.EMAIL,
        title=title,
        content=pdf,
        filename=f"email-{message.pk}.pdf",
        document_date=timezone.localdate(message.created_at),
        key=f"message:{message.pk}",
    )


def member_welcome_letter_add(*, enrolment: Enrolment) -> MemberDocument:
    """The welcome letter of a new member (member number, cover, what the space offers)."""
    employee = enrolment.employee
    today = timezone.localdate()
    pdf = render_pdf(
        "enrolment/documents/welcome_letter.html",
        {
            "enrolment": enrolment,
            "employee": employee,
            "company": employee.company,
            "address_lines": [employee.full_name, *employee.address_lines()],
            "today": today,
            "mutuelle": settings.MUTUELLE,
            "member_help_phone": settings.MUTUELLE["member_help_phone"],
            "member_help_hours": settings.MEMBER_CONTACT["help_hours"],
        },
    )
    return member_document_add(
        enrolment=enrolment,
        kind=MemberDocumentKind.LETTER,
        title="Courrier de bienvenue",
        content=pdf,
        filename=f"bienvenue-{enrolment.member_number}.pdf",
        document_date=today,
        key=f"welcome:{enrolment.pk}",
    )


def member_signed_dossier_add(*, enrolment: Enrolment) -> MemberDocument | None:
    """The signed membership dossier (form + signature page) of the latest signature."""
    evidence = enrolment.signature_evidences.order_by("-signed_at").first()
    if evidence is None or not evidence.dossier:
        return None
    with evidence.dossier.open("rb") as stored:
        content = stored.read()
    return member_document_add(
        enrolment=enrolment,
        kind=MemberDocumentKind.MEMBERSHIP_FORM,
        title="Dossier d'adhésion signé",
        content=content,
        filename=f"dossier-adhesion-{enrolment.member_number}.pdf",
        document_date=timezone.localdate(evidence.signed_at),
        key=f"dossier:{evidence.pk}",
    )


def attestation_context(enrolment: Enrolment, *, today: dt.date) -> dict:
    employee = enrolment.employee
    return {
        "enrolment": enrolment,
        "employee": employee,
        "company": employee.company,
        "contract": enrolment.contract,
        "offer": enrolment.offer,
        "beneficiaries": list(enrolment.beneficiaries.all()),
        "today": today,
        "mutuelle": settings.MUTUELLE,
    }


def member_attestation_issue(
    *, enrolment: Enrolment, today: dt.date | None = None
) -> MemberDocument:
    """The attestation d'appartenance, dated today: one per member and day (asking again
    the same day gives the same document)."""
    today = today or timezone.localdate()
    if enrolment.status not in COVERED_STATES and enrolment.status != EnrolmentStatus.TERMINATED:
        raise ValidationError("Aucune attestation n'est disponible pour cette adhésion.")
    key = f"attestation:{enrolment.pk}:{today.isoformat()}"
    existing = MemberDocument.objects.filter(key=key).first()
    if existing is not None:
        return existing
    pdf = render_pdf(
        "enrolment/documents/attestation.html", attestation_context(enrolment, today=today)
    )
    return member_document_add(
        enrolment=enrolment,
        kind=MemberDocumentKind.ATTESTATION,
        title=f"Attestation d'appartenance du {today:%d/%m/%Y}",
        content=pdf,
        filename=f"attestation-{enrolment.member_number}-{today:%Y%m%d}.pdf",
        document_date=today,
        key=key,
    )
