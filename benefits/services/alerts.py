"""« Un nouveau remboursement est disponible »: no amount, act or beneficiary in it
(health data), never to a member who turned the alert off, one e-mail per member per
day at most (the intent key holds the member and the day)."""

from django.utils import timezone

from enrolment.models import Enrolment
from mutuelle.enums import Channel
from mutuelle.notifications import Notification, notification_send_many


def reimbursement_alerts_send(*, enrolment_ids, today=None) -> list[int]:
    today = today or timezone.localdate()
    enrolments = (
        Enrolment.objects.filter(pk__in=list(enrolment_ids), employee__reimbursement_alerts=True)
        .select_related("employee__user")
        .only(
            "pk",
            "employee__first_name",
            "employee__last_name",
            "employee__email",
            "employee__reimbursement_alerts",
            "employee__user__email",
        )
    )
    return notification_send_many(
        channel=Channel.EMAIL,
        template="reimbursement_available",
        notifications=[
            Notification(
                key=f"reimbursement-alert:{enrolment.pk}:{today.isoformat()}",
                to=enrolment.employee.contact_email,
                context={"employee": enrolment.employee},
            )
            for enrolment in enrolments
        ],
    )
