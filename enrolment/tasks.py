from celery import shared_task

from .models import Enrolment
from .services.invitation import enrolment_invite


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_invitation(enrolment_id: int) -> None:
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is not None:
        enrolment_invite(enrolment=enrolment)
