"""An active member with an account, and member requests in each state."""

import uuid

from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from member_requests.bank import initial_mandate
from member_requests.enums import MemberRequestKind
from member_requests.services import member_request_submit
from tests.dispensations.factories import pdf_upload
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory


def member_enrolment(**kwargs):
    """An active enrolment (mis en gestion) of an employee who has an account."""
    kwargs.setdefault("status", EnrolmentStatus.ACTIVE)
    kwargs.setdefault("employee__user", UserFactory())
    return EnrolmentFactory(**kwargs)


def sent_request(enrolment=None, *, kind=MemberRequestKind.OTHER, message="Une question", files=1):
    enrolment = enrolment or member_enrolment()
    return member_request_submit(
        enrolment=enrolment,
        kind=kind,
        by=enrolment.employee.user,
        message=message,
        documents=[("Pièce jointe", pdf_upload()) for _ in range(files)],
        submission_key=uuid.uuid4().hex,
    )


def covered_member(**kwargs):
    """An active member with a spouse and a child, both accounts, an offer with an
    employee share debited monthly on the 10th, and the mandate of the signed form (its
    row made as the validation makes it)."""
    enrolment = EnrolmentFactory(ready_to_sign=True, **kwargs)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.signed_at = timezone.now()
    enrolment.sepa_mandate_reference = f"RUM-TEST-{enrolment.pk}"
    enrolment.save(update_fields=["status", "signed_at", "sepa_mandate_reference"])
    initial_mandate(enrolment)
    return enrolment


def member_in_portability(*, termination_date=None):
    """A covered member dismissed (unemployment: yes), the termination processed: the
    portability runs from the day after."""
    import datetime as dt

    from enrolment.enums import TerminationReason, UnemploymentEligibility
    from enrolment.services.termination import termination_process, termination_submit

    enrolment = covered_member()
    termination_date = termination_date or timezone.localdate() - dt.timedelta(days=20)
    termination = termination_submit(
        enrolment=enrolment,
        hire_date=enrolment.employee.hire_date,
        termination_date=termination_date,
        reason=TerminationReason.DISMISSAL,
        unemployment=UnemploymentEligibility.YES,
        by=None,
    )
    termination_process(termination=termination, by=UserFactory(staff=True))
    enrolment.refresh_from_db()
    termination.refresh_from_db()
    return enrolment, termination
