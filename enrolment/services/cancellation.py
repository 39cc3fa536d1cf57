"""Cancellation by the correspondent of a pre-affiliation made by mistake."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

from ..enums import LinkKind
from ..models import Enrolment
from .links import links_revoke


def enrolment_cancel(*, enrolment: Enrolment, by, note: str = "") -> Enrolment:
    """Cancel an enrolment still waiting for the employee; its invitation links stop
    working at once and the employee is told by e-mail."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company", "employee__user", "contract")
            .get(pk=enrolment.pk)
        )
        if not enrolment.can_cancel:
            raise ValidationError(
                "Seule une pré-affiliation en attente du salarié peut être annulée "
                f"(statut actuel : {enrolment.get_status_display().lower()})."
            )
        now = timezone.now()
        links_revoke(kind=LinkKind.INVITATION, enrolment=enrolment, now=now)
        enrolment.cancel(by=by, at=now, note=note)
        employee = enrolment.employee
        # Only an employee who was invited knows of the enrolment; the correspondent's
        # note is theirs and stays out of the e-mail.
        if enrolment.invited_at and employee.contact_email:
            notification_send(
                key=f"enrolment-cancelled:{enrolment.pk}",
                channel=Channel.EMAIL,
                to=employee.contact_email,
                template="enrolment_cancelled",
                context={
                    "employee": employee,
                    "company": employee.company,
                    "contract": enrolment.contract,
                },
            )
        return enrolment
