"""Messages to a company's correspondents about one of its employees: one e-mail to each
active correspondent, once per intent."""

from mutuelle.enums import Channel
from mutuelle.models import User
from mutuelle.notifications import notification_send

from ..models import Employee


def correspondents_notify(*, employee: Employee, key: str, template: str, **context) -> None:
    """``key`` names the intent; each correspondent's message adds their id to it."""
    correspondents = User.objects.filter(
        correspondent_accesses__company_id=employee.company_id, is_active=True
    ).distinct()
    for user in correspondents:
        notification_send(
            key=f"{key}:{user.pk}",
            channel=Channel.EMAIL,
            to=user.email,
            template=template,
            context={"employee": employee, "company": employee.company, **context},
        )


def correspondents_tell_processed(*, employee: Employee, key: str, decision: str, **context):
    """The back office has processed a request the company sent (« request_processed »
    e-mail): ``decision`` names the outcome the template words."""
    correspondents_notify(
        employee=employee,
        key=key,
        template="request_processed_employer",
        decision=decision,
        **context,
    )
