import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from enrolment.enums import (
    EnrolmentStatus,
    RequestStatus,
    RequestType,
    TerminationReason,
    TerminationStatus,
)
from enrolment.services.termination import (
    add_months,
    employment_months,
    portability_end_due,
    portability_period,
    termination_errors,
    termination_process,
    termination_submit,
)
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import UserFactory
from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("hire", "end", "months"),
    [
        (D(2024, 3, 1), D(2024, 3, 31), 1),  # exactly one month
        (D(2024, 3, 1), D(2024, 4, 1), 2),  # one month and a day → rounded up
        (D(2024, 3, 15), D(2024, 3, 20), 1),  # a few days → one month
        (D(2024, 1, 31), D(2024, 2, 28), 1),  # month ends: 31/01 + 1 month = 29/02
        (D(2024, 1, 1), D(2024, 6, 30), 6),
        (D(2024, 1, 1), D(2024, 7, 10), 7),
        (D(2020, 1, 1), D(2024, 6, 30), 54),
    ],
)
def test_employment_months_rounded_up(hire, end, months):
    assert employment_months(hire_date=hire, termination_date=end) == months


def test_portability_capped_at_12_months_and_starts_next_day():
    period = portability_period(hire_date=D(2020, 1, 1), termination_date=D(2024, 6, 30))
    assert period.months == 12
    assert period.start_date == D(2024, 7, 1)
    assert period.end_date == D(2025, 6, 30)
    short = portability_period(hire_date=D(2024, 3, 1), termination_date=D(2024, 4, 1))
    assert (short.months, short.end_date) == (2, D(2024, 6, 1))


def test_add_months_clamps_to_month_end():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)


def _active(**kwargs):
    return EnrolmentFactory(active=True, **kwargs)


def test_errors_for_dates_before_hire_or_effective_date_and_missing_answer():
    enrolment = _active(effective_date=D(2024, 3, 1))
    errors = termination_errors(
        enrolment=enrolment,
        hire_date=D(2024, 2, 1),
        termination_date=D(2024, 1, 15),
        reason=TerminationReason.DISMISSAL,
        portability=None,
    )
    assert len(errors["termination_date"]) == 2
    assert "date d'embauche" in errors["termination_date"][0]
    assert "date d'effet" in errors["termination_date"][1]
    assert errors["portability"] == ["Indiquez si vous souhaitez activer la portabilité."]


def test_portability_not_asked_for_other_reasons():
    enrolment = _active()
    errors = termination_errors(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2025, 3, 1),
        reason=TerminationReason.RETIREMENT,
        portability=None,
    )
    assert errors == {}


def test_only_active_enrolments_can_be_terminated():
    enrolment = EnrolmentFactory(invited=True)
    with pytest.raises(ValidationError) as exc:
        termination_submit(
            enrolment=enrolment,
            hire_date=D(2024, 3, 1),
            termination_date=D(2025, 3, 1),
            reason=TerminationReason.RESIGNATION,
            portability=None,
            by=None,
        )
    assert "mis en gestion" in exc.value.messages[0]


def test_submit_creates_termination_request_with_portability():
    enrolment = _active()
    hr = UserFactory()
    termination = termination_submit(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.END_OF_CONTRACT,
        portability=True,
        by=hr,
    )
    assert termination.portability and termination.portability_months == 6
    assert termination.portability_end_date == D(2025, 2, 15)
    request = termination.request
    assert (request.type, request.status) == (RequestType.TERMINATION, RequestStatus.PROCESSING)
    event = request.events.get()
    assert event.actor == hr and "6 mois" in event.note
    # A second one while the first is pending is refused.
    with pytest.raises(ValidationError):
        termination_submit(
            enrolment=enrolment,
            hire_date=D(2024, 3, 1),
            termination_date=D(2024, 8, 15),
            reason=TerminationReason.RESIGNATION,
            portability=None,
            by=hr,
        )


def test_portability_answer_ignored_for_reason_without_right():
    termination = termination_submit(
        enrolment=_active(),
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.RESIGNATION,
        portability=True,
        by=None,
    )
    assert termination.portability is False and termination.portability_end_date is None


def test_death_opens_a_deces_request_and_sends_no_email(django_capture_on_commit_callbacks):
    termination = termination_submit(
        enrolment=_active(),
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.DEATH,
        portability=None,
        by=None,
    )
    assert termination.request.type == RequestType.DEATH
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=UserFactory(staff=True))
    assert not OutboxMessage.objects.exists()


def test_process_with_portability_then_periodic_end(django_capture_on_commit_callbacks):
    enrolment = _active()
    termination = termination_submit(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.DISMISSAL,
        portability=True,
        by=None,
    )
    staff = UserFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=staff)
    enrolment.refresh_from_db()
    termination.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PORTABILITY
    assert enrolment.end_date == D(2025, 2, 15)
    assert termination.status == TerminationStatus.PROCESSED
    assert termination.request.status == RequestStatus.CLOSED
    message = OutboxMessage.objects.get(key=f"termination:{termination.pk}")
    assert "du 16/08/2024 au 15/02/2025" in message.body_text
    with pytest.raises(ValidationError):
        termination_process(termination=termination, by=staff)
    # The periodic job: nothing before the end date, then once, then nothing again.
    assert portability_end_due(today=D(2025, 2, 15)) == 0
    assert portability_end_due(today=D(2025, 2, 16)) == 1
    assert portability_end_due(today=D(2025, 2, 17)) == 0
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TERMINATED


def test_process_without_portability_terminates(django_capture_on_commit_callbacks):
    enrolment = _active()
    termination = termination_submit(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.RETIREMENT,
        portability=None,
        by=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=None)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TERMINATED
    assert enrolment.end_date == D(2024, 8, 15)
    message = OutboxMessage.objects.get()
    assert "prend fin le 15/08/2024" in message.body_text


def test_admin_action_processes_submitted_terminations(admin_client):
    from django.urls import reverse

    enrolment = _active()
    termination = termination_submit(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.DISMISSAL,
        portability=True,
        by=None,
    )
    changelist = reverse("admin:enrolment_termination_changelist")
    assert "Traiter les résiliations" in admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist,
        {"action": "process_terminations", "_selected_action": [termination.pk]},
        follow=True,
    )
    assert "1 résiliation(s) traitée(s)." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PORTABILITY
