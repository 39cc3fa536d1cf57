"""Back-office decisions on a signed enrolment: validate it (mis en gestion) or send it
back to the employee with a message. Each writes the request's history and e-mails the
employee after commit."""

from django.db import transaction

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

from ..enums import EnrolmentStatus
from ..exceptions import InvalidTransition
from ..models import Enrolment
from ..signals import enrolment_validated
from . import wizard
from .card import member_card_issue
from .correspondents import correspondents_tell_processed
from .member_documents import (
    member_document_copy_message,
    member_signed_dossier_add,
    member_welcome_letter_add,
)


def _lock_signed(enrolment: Enrolment) -> Enrolment:
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("employee__company", "employee__user")
        .get(pk=enrolment.pk)
    )
    if not locked.can("validate"):
        raise InvalidTransition(locked, EnrolmentStatus.ACTIVE)
    return locked


def enrolment_validate(*, enrolment: Enrolment, by) -> Enrolment:
    """Signed → mis en gestion: the member is covered and the card becomes available;
    the employer's request is « Clôturée »."""
    with transaction.atomic():
        enrolment = _lock_signed(enrolment)
        event = enrolment.validate(by=by)
        # Higher layers add what a covered member needs (the SEPA mandate of the form).
        enrolment_validated.send(sender=Enrolment, enrolment=enrolment, by=by)
        # The member's space fills at once: the card, the signed dossier, the welcome
        # letter and a copy of the e-mail below.
        member_card_issue(enrolment=enrolment, reason="Adhésion validée")
        member_signed_dossier_add(enrolment=enrolment)
        member_welcome_letter_add(enrolment=enrolment)
        email = enrolment.employee.contact_email
        if email:
            message = notification_send(
                key=f"enrolment-validated:{enrolment.pk}:{event.pk if event else 0}",
                channel=Channel.EMAIL,
                to=email,
                template="enrolment_validated",
                context={
                    "employee": enrolment.employee,
                    "company": enrolment.employee.company,
                    "enrolment": enrolment,
                },
            )
            member_document_copy_message(
                enrolment=enrolment, message=message, title="E-mail de validation de l'adhésion"
            )
        correspondents_tell_processed(
            employee=enrolment.employee,
            key=f"employer-enrolment-validated:{enrolment.pk}:{event.pk if event else 0}",
            decision="enrolment_validated",
            enrolment=enrolment,
        )
    return enrolment


def enrolment_return_to_employee(*, enrolment: Enrolment, by, message: str) -> Enrolment:
    """Signed → adhésion en cours: the employee corrects (the wizard opens again on its
    recap) and signs again. The message may quote personal data, so only the employee
    and the back office read it; the employer sees that the file was sent back."""
    message = message.strip()
    if not message:
        raise ValueError("A message to the employee is required.")
    with transaction.atomic():
        enrolment = _lock_signed(enrolment)
        step = enrolment.wizard_step
        if wizard.step_index(step) > wizard.step_index("recap"):
            step = "recap"
        event = enrolment.return_to_employee(by=by, wizard_step=step)
        if event is not None:
            event.request.move_to(
                event.request.status,
                by=by,
                label="Message de la mutuelle au salarié",
                note=message,
                visible_to_employer=False,
            )
        email = enrolment.employee.contact_email
        if email:
            notification_send(
                key=f"enrolment-returned:{enrolment.pk}:{event.pk if event else 0}",
                channel=Channel.EMAIL,
                to=email,
                template="enrolment_returned",
                context={
                    "employee": enrolment.employee,
                    "company": enrolment.employee.company,
                    "enrolment": enrolment,
                    "message": message,
                },
            )
    return enrolment
