from celery import shared_task

from .models import Enrolment
from .services.age_limits import children_age_limit_review
from .services.card import member_cards_renew_due
from .services.invitation import enrolment_invite, enrolments_expire_due, reminders_send_due
from .services.postal_letters import postal_letters_create
from .services.provident import provident_notices_send
from .services.termination import portability_end_due, terminations_apply_due


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_invitations(enrolment_ids: list[int]) -> None:
    """Invite a batch of pre-affiliated employees (one task per few hundred, not per
    employee). A retry re-runs the whole batch: ``enrolment_invite`` skips those already
    invited and the notification key ``invitation:<id>`` sends each e-mail once."""
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids).order_by("pk"):
        enrolment_invite(enrolment=enrolment)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_provident_notices(enrolment_ids: list[int]) -> int:
    """E-mail the notice d'information to a batch of employees just affiliated to a
    prévoyance contract (each once: key ``provident_notice:<id>``)."""
    return provident_notices_send(enrolment_ids=enrolment_ids)


# Periodic jobs (CELERY_BEAT_SCHEDULE): idempotent, so a second beat or a redelivery
# sends nothing twice.
@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def send_due_reminders() -> int:
    return reminders_send_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def expire_enrolments() -> int:
    return enrolments_expire_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def review_children_age_limits() -> int:
    """Yearly (1 December): schedule and announce the end of cover of the children who
    pass their age limit next year (idempotent per child and date)."""
    return children_age_limit_review()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def terminations_daily() -> int:
    """Daily: apply the terminations whose date has passed (radié, or portability from
    the next day), then end the portability periods whose end date has passed. Both
    steps are idempotent."""
    return terminations_apply_due() + portability_end_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def create_postal_letters(enrolment_ids: list[int]) -> int:
    """The two postal letters of employees declared without e-mail (chosen by the
    pre-affiliation; idempotent per enrolment)."""
    enrolments = Enrolment.objects.filter(pk__in=enrolment_ids).order_by("pk")
    for enrolment in enrolments:
        postal_letters_create(enrolment=enrolment)
    return len(enrolments)


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def renew_member_cards() -> int:
    """Daily: covered members without a card valid today get one (new year)."""
    return member_cards_renew_due()
