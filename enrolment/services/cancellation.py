"""Cancellation by the correspondent of a pre-affiliation made by mistake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..enums import LinkKind
from ..models import Enrolment
from .links import links_revoke


def enrolment_cancel(*, enrolment: Enrolment, by, note: str = "") -> Enrolment:
    """Cancel an enrolment still waiting for the employee; its invitation links stop
    working at once."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if not enrolment.can_cancel:
            raise ValidationError(
                "Seule une pré-affiliation en attente du salarié peut être annulée "
                f"(statut actuel : {enrolment.get_status_display().lower()})."
            )
        now = timezone.now()
        links_revoke(kind=LinkKind.INVITATION, enrolment=enrolment, now=now)
        enrolment.cancel(by=by, at=now, note=note)
        return enrolment
