import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dispensations.admin import DispensationAdmin, RejustificationFilter
from dispensations.enums import DispensationStatus as D
from dispensations.models import Dispensation, DispensationProof
from dispensations.services import dispensation_accept, dispensation_rejustify
from dispensations.tasks import dispensations_daily
from enrolment.enums import EnrolmentStatus as E
from enrolment.enums import RequestStatus as R
from enrolment.enums import RequestType
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import CorrespondentAccessFactory, UserFactory
from .factories import employee_enrolment, pdf_upload, submit

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def at(day: dt.date, hour: int = 3):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), tick=False)


def accepted(case="individual_contract", end_date=dt.date(2026, 9, 30), hire_date=None, **kw):
    with time_machine.travel(START, tick=False):
        enrolment = employee_enrolment(**kw)
        hire = hire_date or enrolment.employee.hire_date
        dispensation = submit(enrolment, case=case, end_date=end_date, hire_date=hire)
        dispensation_accept(dispensation=dispensation, by=UserFactory(staff=True))
    dispensation.refresh_from_db()
    return dispensation


def keys(prefix: str) -> list[str]:
    return list(OutboxMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def test_end_reminder_sent_once_30_days_before(django_capture_on_commit_callbacks):
    dispensation = accepted()
    with at(dt.date(2026, 8, 30)):
        dispensations_daily()
    assert keys("dispensation-end-reminder") == []
    with django_capture_on_commit_callbacks(execute=True), at(dt.date(2026, 8, 31)):
        dispensations_daily()
        dispensations_daily()
    with at(dt.date(2026, 9, 15)):
        dispensations_daily()
    assert keys("dispensation-end-reminder") == [
        f"dispensation-end-reminder:{dispensation.pk}:2026-09-30"
    ]
    message = OutboxMessage.objects.get(key__startswith="dispensation-end-reminder")
    assert "prend fin le 30/09/2026" in message.subject
    assert message.status == "sent"


def test_end_date_ends_dispensation_reopens_enrolment_and_tells_correspondent(
    django_capture_on_commit_callbacks,
):
    dispensation = accepted()
    enrolment = dispensation.enrolment
    company = enrolment.employee.company
    first, second = CorrespondentAccessFactory.create_batch(2, company=company)
    CorrespondentAccessFactory()  # another company's correspondent: not told
    with at(dt.date(2026, 9, 29)):
        assert dispensations_daily()["ended"] == 0
    with django_capture_on_commit_callbacks(execute=True), at(dt.date(2026, 9, 30)):
        assert dispensations_daily()["ended"] == 1
        assert dispensations_daily()["ended"] == 0
        now = timezone.now()
    dispensation.refresh_from_db()
    enrolment.refresh_from_db()
    assert dispensation.status == D.ENDED
    assert enrolment.status == E.INVITED
    assert enrolment.employee_status == "enrolling"
    assert enrolment.expires_at == now + dt.timedelta(days=60)
    assert enrolment.requests.get(type=RequestType.AFFILIATION).status == R.WAITING
    assert dispensation.request.events.last().label.startswith("Fin de la dispense")
    assert keys("dispensation-ended:") == [f"dispensation-ended:{dispensation.pk}"]
    employer = OutboxMessage.objects.filter(key__startswith="dispensation-ended-employer")
    assert sorted(employer.values_list("recipient", flat=True)) == sorted(
        [first.user.email, second.user.email]
    )
    body = employer.first().body_text
    assert enrolment.employee.last_name.upper() in body
    # The correspondent learns the dispensation ended, never its case.
    assert "individuel" not in body and "Contrat" not in body


def test_a_missed_day_is_caught_up():
    dispensation = accepted()
    with at(dt.date(2026, 10, 12)):
        counts = dispensations_daily()
    assert counts["ended"] == 1
    dispensation.refresh_from_db()
    assert dispensation.status == D.ENDED


def test_yearly_rejustification_requested_once_then_overdue_in_admin_filter(rf):
    dispensation = accepted(case="spouse_employer", end_date=None)
    assert dispensation.rejustify_by == dt.date(2027, 3, 2)
    assert dispensation.end_date is None
    with at(dt.date(2027, 1, 30)):
        assert dispensations_daily()["rejustification_requests"] == 0
    with at(dt.date(2027, 1, 31)):
        assert dispensations_daily()["rejustification_requests"] == 1
        assert dispensations_daily()["rejustification_requests"] == 0
    assert keys("dispensation-rejustify") == [
        f"dispensation-rejustify:{dispensation.pk}:2027-03-02"
    ]
    dispensation.refresh_from_db()
    event = dispensation.request.events.last()
    assert (event.label, event.visible_to_employer) == ("Justificatif annuel demandé", False)

    def overdue(day):
        with at(day):
            request = rf.get("/", {"justificatif_annuel": "en_retard"})
            list_filter = RejustificationFilter(
                request,
                {"justificatif_annuel": ["en_retard"]},
                Dispensation,
                DispensationAdmin,
            )
            return list(list_filter.queryset(request, Dispensation.objects.all()))

    assert overdue(dt.date(2027, 3, 2)) == []
    assert overdue(dt.date(2027, 3, 3)) == [dispensation]


def test_yearly_proof_moves_the_next_due_date_a_year_on():
    dispensation = accepted(case="camieg", end_date=None)
    user = dispensation.enrolment.employee.user
    with at(dt.date(2027, 2, 10)):
        dispensations_daily()
        dispensation.refresh_from_db()
        dispensation_rejustify(dispensation=dispensation, by=user, files=[pdf_upload()])
    dispensation.refresh_from_db()
    assert dispensation.rejustify_by == dt.date(2028, 3, 2)
    assert DispensationProof.objects.filter(dispensation=dispensation, kind="annuel").count() == 1
    with at(dt.date(2028, 2, 1)):
        dispensations_daily()
    assert len(keys("dispensation-rejustify")) == 2


def test_cases_without_end_or_yearly_proof_are_left_alone():
    dispensation = accepted(
        case="evin_unilateral_decision",
        end_date=None,
        unilateral=True,
        hire_date=dt.date(2023, 6, 1),
        employee__hire_date=dt.date(2023, 6, 1),
    )
    with at(dt.date(2030, 1, 1)):
        assert dispensations_daily() == {
            "started": 0,
            "end_reminders": 0,
            "ended": 0,
            "rejustification_requests": 0,
        }
    dispensation.refresh_from_db()
    assert dispensation.status == D.ACCEPTED
