"""The member's tiers-payant card (carte mutualiste).

A card is issued when the back office validates an enrolment, when the portability
period opens (the card then ends with it), each new calendar year, and whenever the
beneficiaries change (member requests call :func:`member_card_issue`). Each issue
replaces the previous card and files its PDF in « Mes documents ». The QR code holds a
signed URL: a health professional who scans it sees the names on the card and whether
the rights are open today, nothing else.
"""

import datetime as dt

import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import ProductLine
from mutuelle.pdf import render_pdf
from mutuelle.validators import mask_nir_but_last3

from ..enums import COVERED_STATES, EnrolmentStatus, MemberDocumentKind, Relationship
from ..member_models import MemberCard
from ..models import Enrolment
from .member_documents import member_document_add

VERIFICATION_SALT = "enrolment.member-card.verification"


def card_validity(enrolment: Enrolment, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar year (that of the effective date if cover starts later), cut at the
    end of cover when it comes earlier; a portability card ends with the portability."""
    year = max(today, enrolment.effective_date).year
    valid_from = max(dt.date(year, 1, 1), enrolment.effective_date)
    valid_until = dt.date(year, 12, 31)
    if enrolment.status == EnrolmentStatus.PORTABILITY and enrolment.end_date:
        # Portability runs up to 12 months, across the new year if need be.
        valid_until = enrolment.end_date
    elif enrolment.end_date:
        valid_until = min(valid_until, enrolment.end_date)
    if valid_until < valid_from:
        raise ValidationError("La couverture est terminée : aucune carte ne peut être émise.")
    return valid_from, valid_until


def _holders(enrolment: Enrolment) -> list[dict]:
    employee = enrolment.employee
    member_nir = mask_nir_but_last3(employee.nir) if employee.nir else ""
    holders = [
        {
            "role": "Assuré principal",
            "name": f"{employee.last_name.upper()} {employee.first_name}",
            "birth_date": employee.birth_date.isoformat(),
            "twin_rank": 1,
            "nir": member_nir,
            "attached": False,
        }
    ]
    # A beneficiary removed from the contract leaves the card renewed on removal.
    for beneficiary in enrolment.beneficiaries.filter(covered_until__isnull=True):
        attached = beneficiary.attached_to_member_nir or not beneficiary.nir
        holders.append(
            {
                "role": Relationship(beneficiary.relationship).label,
                "name": f"{beneficiary.last_name.upper()} {beneficiary.first_name}",
                "birth_date": beneficiary.birth_date.isoformat(),
                "twin_rank": beneficiary.twin_rank,
                "nir": member_nir if attached else mask_nir_but_last3(beneficiary.nir),
                "attached": attached,
            }
        )
    return holders


def card_verification_token(card: MemberCard) -> str:
    return signing.dumps(card.pk, salt=VERIFICATION_SALT, compress=True)


def card_from_verification_token(token: str) -> MemberCard | None:
    """The card a scanned QR code names, or None for a forged or altered token."""
    try:
        pk = signing.loads(token, salt=VERIFICATION_SALT)
    except signing.BadSignature:
        return None
    return MemberCard.objects.select_related("enrolment").filter(pk=pk).first()


def card_verification_url(card: MemberCard) -> str:
    path = reverse("enrolment:card_verify", args=[card_verification_token(card)])
    return settings.SITE_URL.rstrip("/") + path


def card_rights_open(card: MemberCard, *, today: dt.date | None = None) -> bool:
    """Rights are open when the card is valid today and the member is still covered."""
    today = today or timezone.localdate()
    enrolment = card.enrolment
    return (
        card.valid_from <= today <= card.valid_until
        and enrolment.status in COVERED_STATES
        and (enrolment.end_date is None or today <= enrolment.end_date)
    )


def card_context(card: MemberCard) -> dict:
    """What the card shows, shared by the member's page and the PDF."""
    url = card_verification_url(card)
    holders = [
        {**holder, "birth_date": dt.date.fromisoformat(holder["birth_date"])}
        for holder in card.holders
    ]
    return {
        "card": card,
        "enrolment": card.enrolment,
        "holders": holders,
        "amc_number": settings.MEMBER_CARD["amc_number"],
        "professional_help_phone": settings.MEMBER_CARD["professional_help_phone"],
        "domains": settings.MEMBER_CARD["tiers_payant_domains"],
        "verification_url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=3, border=2, title="QR code"),
        "mutuelle": settings.MUTUELLE,
    }


def card_pdf(card: MemberCard) -> bytes:
    return render_pdf("enrolment/card/document.html", card_context(card))


def member_card_issue(
    *, enrolment: Enrolment, reason: str = "", today: dt.date | None = None
) -> MemberCard:
    """Issue a new card for a covered member, replacing the current one, and file its
    PDF in the member's documents."""
    today = today or timezone.localdate()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company", "contract", "offer")
            .get(pk=enrolment.pk)
        )
        if enrolment.status not in COVERED_STATES:
            raise ValidationError("Seul un adhérent couvert peut recevoir une carte mutualiste.")
        valid_from, valid_until = card_validity(enrolment, today=today)
        now = timezone.now()
        MemberCard.objects.filter(enrolment=enrolment, replaced_at__isnull=True).update(
            replaced_at=now
        )
        card = MemberCard.objects.create(
            enrolment=enrolment,
            valid_from=valid_from,
            valid_until=valid_until,
            portability=enrolment.status == EnrolmentStatus.PORTABILITY,
            holders=_holders(enrolment),
            reason=reason[:120],
        )
        card.enrolment = enrolment
        card.document = member_document_add(
            enrolment=enrolment,
            kind=MemberDocumentKind.CARD,
            title=(
                "Carte mutualiste de portabilité"
                if card.portability
                else f"Carte mutualiste {valid_from.year}"
            ),
            content=card_pdf(card),
            filename=f"carte-mutualiste-{enrolment.member_number}-{valid_from:%Y}.pdf",
            document_date=today,
            key=f"card:{card.pk}",
        )
        card.save(update_fields=["document"])
    return card


def member_cards_renew_due(*, today: dt.date | None = None) -> int:
    """Daily: a covered member without a card valid today gets one (new year, late
    validation). Idempotent: once issued, the member has a valid card."""
    today = today or timezone.localdate()
    valid_card = MemberCard.objects.filter(
        enrolment=OuterRef("pk"),
        replaced_at__isnull=True,
        valid_until__gte=today,
    )
    due = (
        Enrolment.objects.filter(
            status__in=sorted(COVERED_STATES),
            effective_date__lte=today,
            # The tiers-payant card is the health contract's.
            contract__product_line=ProductLine.HEALTH,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(~Exists(valid_card))
        .values_list("pk", flat=True)
    )
    issued = 0
    for pk in list(due):
        member_card_issue(enrolment=Enrolment(pk=pk), reason="Renouvellement annuel", today=today)
        issued += 1
    return issued
