import datetime as dt

from django.urls import reverse
from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import PASSWORD, OfferFactory, UserFactory


def invitation_path(enrolment) -> str:
    message = OutboxMessage.objects.filter(key=f"invitation:{enrolment.pk}").get()
    line = next(line for line in message.body_text.splitlines() if "/invitation/" in line)
    return line.split("8000", 1)[1].strip()


def in_progress_enrolment(*, wizard_step: str = "profile", **kwargs):
    """An activated employee (logged-in capable) whose wizard is at ``wizard_step``."""
    user = UserFactory(first_name="Paul", last_name="Durand")
    enrolment = EnrolmentFactory(
        status=EnrolmentStatus.IN_PROGRESS,
        invited_at=timezone.now() - dt.timedelta(days=2),
        expires_at=timezone.now() + dt.timedelta(days=58),
        employee__user=user,
        wizard_step=wizard_step,
        **kwargs,
    )
    return enrolment, user


def add_offers(enrolment):
    base = OfferFactory(
        group=enrolment.group, level="base", member_monthly_cost="0.00", display_order=1
    )
    option = OfferFactory(
        group=enrolment.group,
        level="base_opt1",
        member_monthly_cost="1234.56",
        spouse_monthly_cost="25.50",
        child_monthly_cost="15.20",
        display_order=2,
    )
    return base, option


def url(name: str, *args) -> str:
    return reverse(f"member_portal:{name}", args=args)


__all__ = ["PASSWORD", "add_offers", "in_progress_enrolment", "invitation_path", "url"]
