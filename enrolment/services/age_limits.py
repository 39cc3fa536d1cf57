"""Children who pass the contract's age limit.

A child is covered until the day before the birthday of the contract's age limit (the
student/apprentice limit when the member has proved that status), or without limit when
the child is disabled and the contract says so. Once a year (1 December) the member is
told of each child whose cover will end during the next calendar year — with a request
for the student or apprenticeship proof that would extend it — and that end is
scheduled on the beneficiary (``covered_until``). The back office records a proof
received, which moves the end to the student limit.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

from ..enums import EnrolmentStatus, Relationship
from ..models import Beneficiary

COVERED_STATES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY)


def _birthday(birth_date: dt.date, age: int) -> dt.date:
    year = birth_date.year + age
    if (birth_date.month, birth_date.day) == (2, 29):
        return dt.date(year, 3, 1) if year % 4 else dt.date(year, 2, 29)
    return birth_date.replace(year=year)


def child_cover_end(beneficiary: Beneficiary, contract) -> dt.date | None:
    """The last day a child is covered, or None when covered without age limit."""
    if beneficiary.disabled and contract.disabled_child_no_age_limit:
        return None
    limit = (
        contract.student_child_age_limit
        if beneficiary.is_student_or_apprentice
        else contract.child_age_limit
    )
    return _birthday(beneficiary.birth_date, limit) - dt.timedelta(days=1)


def children_age_limit_review(*, today: dt.date | None = None) -> int:
    """Yearly: schedule the end of cover of the children who pass their age limit by the
    end of next year, and tell their member once per child and date. Idempotent."""
    today = today or timezone.localdate()
    horizon = dt.date(today.year + 1, 12, 31)
    children = Beneficiary.objects.filter(
        relationship=Relationship.CHILD,
        covered_until__isnull=True,
        enrolment__status__in=COVERED_STATES,
    ).select_related("enrolment__contract", "enrolment__employee")
    scheduled = 0
    for child in children.iterator(chunk_size=500):
        contract = child.enrolment.contract
        end = child_cover_end(child, contract)
        if end is None or end > horizon:
            continue
        with transaction.atomic():
            locked = Beneficiary.objects.select_for_update().get(pk=child.pk)
            if locked.covered_until is not None:
                continue
            locked.covered_until = end
            locked.save(update_fields=["covered_until"])
            employee = child.enrolment.employee
            if employee.contact_email:
                notification_send(
                    key=f"child-age-limit:{child.pk}:{end:%Y%m%d}",
                    channel=Channel.EMAIL,
                    to=employee.contact_email,
                    template="child_age_limit",
                    context={
                        "employee": employee,
                        "child": child,
                        "end_date": end,
                        "contract": contract,
                        "student_extension": not child.is_student_or_apprentice
                        and contract.student_child_age_limit > contract.child_age_limit,
                    },
                )
            scheduled += 1
    return scheduled


def beneficiary_record_student_proof(*, beneficiary: Beneficiary) -> dt.date | None:
    """The back office received the child's school certificate or apprenticeship
    contract: covered to the student limit (the yearly review schedules that end)."""
    with transaction.atomic():
        child = (
            Beneficiary.objects.select_for_update(of=("self",))
            .select_related("enrolment__contract")
            .get(pk=beneficiary.pk)
        )
        if child.relationship != Relationship.CHILD:
            raise ValidationError("Seul un enfant peut être étudiant ou apprenti.")
        child.is_student_or_apprentice = True
        end = child_cover_end(child, child.enrolment.contract)
        if end is not None and end < timezone.localdate():
            raise ValidationError(
                "Cet enfant a dépassé l'âge limite des étudiants et apprentis du contrat."
            )
        child.covered_until = None
        child.save(update_fields=["is_student_or_apprentice", "covered_until"])
        return end
