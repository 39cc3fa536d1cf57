from celery import shared_task

from .models import Enrolment
from .services.invitation import enrolment_invite


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_invitation(enrolment_id: int) -> None:
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is not None:
        enrolment_invite(enrolment=enrolment)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_invitations(enrolment_ids: list[int]) -> None:
    """Invite a batch of pre-affiliated employees (one task per few hundred, not per
    employee). A retry re-runs the whole batch: ``enrolment_invite`` skips those already
    invited and the notification key ``invitation:<id>`` sends each e-mail once."""
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids).order_by("pk"):
        enrolment_invite(enrolment=enrolment)
