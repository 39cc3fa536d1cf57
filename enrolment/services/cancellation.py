"""Cancellation by the correspondent of a pre-affiliation made by mistake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..enums import WAITING_FOR_EMPLOYEE, EnrolmentStatus, LinkKind
from ..models import Enrolment
from .links import links_revoke


def enrolment_cancel(*, enrolment: Enrolment, by, note: str = "") -> Enrolment:
    """Cancel an enrolment still waiting for the employee; its invitation links stop
    working at once."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status not in WAITING_FOR_EMPLOYEE:
            raise ValidationError(
                "Seule une pré-affiliation en attente du salarié peut être annulée "
                f"(statut actuel : {enrolment.get_status_display().lower()})."
            )
        now = timezone.now()
        links_revoke(kind=LinkKind.INVITATION, enrolment=enrolment, now=now)
        enrolment.ended_at = now
        enrolment.save(update_fields=["ended_at", "updated_at"])
        enrolment.transition(
            EnrolmentStatus.CANCELLED,
            by=by,
            label="Pré-affiliation annulée par l'entreprise",
            note=note,
        )
        return enrolment
