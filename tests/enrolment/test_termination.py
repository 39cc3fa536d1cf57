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
from enrolment.enums import UnemploymentEligibility as U
from enrolment.portability import add_months, employment_months, portability_period
from enrolment.services.termination import (
    portability_end_due,
    termination_errors,
    termination_process,
    termination_submit,
    terminations_apply_due,
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
    assert employment_months(start_date=hire, termination_date=end) == months


def test_portability_capped_at_12_months_and_starts_next_day():
    period = portability_period(start_date=D(2020, 1, 1), termination_date=D(2024, 6, 30))
    assert period.months == 12
    assert period.start_date == D(2024, 7, 1)
    assert period.end_date == D(2025, 6, 30)
    short = portability_period(start_date=D(2024, 3, 1), termination_date=D(2024, 4, 1))
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
        unemployment=None,
    )
    assert len(errors["termination_date"]) == 2
    assert "date d'embauche" in errors["termination_date"][0]
    assert "date d'effet" in errors["termination_date"][1]
    assert "assurance chômage" in errors["unemployment"][0]


def test_portability_not_asked_for_other_reasons():
    enrolment = _active()
    errors = termination_errors(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2025, 3, 1),
        reason=TerminationReason.RETIREMENT,
        unemployment=None,
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
            unemployment=None,
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
        unemployment=U.YES,
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
            unemployment=None,
            by=hr,
        )


def test_unemployment_answer_ignored_for_reason_without_right():
    termination = termination_submit(
        enrolment=_active(),
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.RESIGNATION,
        unemployment=U.YES,
        by=None,
    )
    assert termination.portability is False and termination.portability_end_date is None


def test_death_opens_a_deces_request_and_sends_no_email(django_capture_on_commit_callbacks):
    termination = termination_submit(
        enrolment=_active(),
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.DEATH,
        unemployment=None,
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
        unemployment=U.YES,
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
        unemployment=None,
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
        unemployment=U.YES,
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


def _submit(enrolment, *, termination_date, reason=TerminationReason.DISMISSAL, **kwargs):
    return termination_submit(
        enrolment=enrolment,
        hire_date=kwargs.pop("hire_date", D(2024, 3, 1)),
        termination_date=termination_date,
        reason=reason,
        unemployment=kwargs.pop("unemployment", U.YES),
        by=None,
        **kwargs,
    )


def test_future_termination_is_scheduled_and_applied_the_day_after(
    time_machine, django_capture_on_commit_callbacks
):
    from employer_portal.selectors import company_counters

    time_machine.move_to(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))
    enrolment = _active()
    termination = _submit(enrolment, termination_date=D(2026, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=UserFactory(staff=True))
    enrolment.refresh_from_db()
    termination.refresh_from_db()
    # Processed, but the employee stays covered until the end of the 31st.
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.cover_ends_on == D(2026, 12, 31)
    assert termination.scheduled and termination.request.status == RequestStatus.CLOSED
    company = enrolment.employee.company
    assert company_counters(company)["affiliated"] == 1
    assert company_counters(company)["portability"] == 0
    # A second termination cannot be sent while one is scheduled.
    with pytest.raises(ValidationError):
        _submit(enrolment, termination_date=D(2026, 12, 20))
    assert terminations_apply_due(today=D(2026, 12, 31)) == 0
    assert terminations_apply_due(today=D(2027, 1, 1)) == 1
    assert terminations_apply_due(today=D(2027, 1, 2)) == 0
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PORTABILITY
    assert enrolment.end_date == termination.portability_end_date
    assert company_counters(company)["portability"] == 1


def test_future_termination_without_portability_ends_cover_after_its_date(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))
    enrolment = _active()
    termination = _submit(
        enrolment, termination_date=D(2026, 12, 15), reason=TerminationReason.RESIGNATION
    )
    termination_process(termination=termination, by=None)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert terminations_apply_due(today=D(2026, 12, 16)) == 1
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_date) == (EnrolmentStatus.TERMINATED, D(2026, 12, 15))


def test_daily_task_applies_then_ends_portability(time_machine):
    from enrolment.tasks import terminations_daily

    time_machine.move_to(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))
    enrolment = _active()
    termination = _submit(enrolment, termination_date=D(2026, 12, 31), hire_date=D(2026, 11, 1))
    termination_process(termination=termination, by=None)
    termination.refresh_from_db()
    assert termination.portability_end_date == D(2027, 2, 28)  # 2 months
    time_machine.move_to(dt.datetime(2027, 1, 1, 10, tzinfo=dt.UTC))
    assert terminations_daily() == 1
    time_machine.move_to(dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC))
    assert terminations_daily() == 1
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TERMINATED
    assert terminations_daily() == 0


def test_withdraw_before_processing_only():
    from enrolment.services.termination import termination_withdraw

    enrolment = _active()
    first = _submit(enrolment, termination_date=D(2024, 8, 15))
    termination_withdraw(termination=first, by=None)
    first.refresh_from_db()
    assert first.status == TerminationStatus.CANCELLED
    assert first.request.status == RequestStatus.CANCELLED
    assert "retirée" in first.request.events.order_by("-id").first().label
    # The employee can be terminated again, and a processed one cannot be withdrawn.
    second = _submit(enrolment, termination_date=D(2024, 8, 15))
    termination_process(termination=second, by=None)
    with pytest.raises(ValidationError, match="déjà été traitée"):
        termination_withdraw(termination=second, by=None)


def test_consecutive_contracts_lengthen_portability_and_must_start_before_hire():
    enrolment = _active()
    errors = termination_errors(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        contracts_start_date=D(2024, 4, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.END_OF_CONTRACT,
        unemployment=U.YES,
    )
    assert "au plus tard à la date d'embauche" in errors["contracts_start_date"][0]
    termination = _submit(
        enrolment,
        hire_date=D(2024, 3, 1),
        contracts_start_date=D(2024, 1, 1),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.END_OF_CONTRACT,
    )
    assert termination.portability_months == 8
    assert termination.contracts_start_date == D(2024, 1, 1)


def test_faute_lourde_and_no_unemployment_right_close_without_portability():
    lourde = _submit(
        _active(),
        termination_date=D(2024, 8, 15),
        reason=TerminationReason.DISMISSAL_GROSS_MISCONDUCT,
    )
    assert not lourde.portability and lourde.unemployment_benefits == ""
    no_right = _submit(_active(), termination_date=D(2024, 8, 15), unemployment=U.NO)
    assert not no_right.portability
    assert "ne peut pas prétendre" in no_right.request.events.get().note


def test_portability_ends_early_when_benefits_stop():
    from enrolment.portability import EarlyEndCause
    from enrolment.services.termination import portability_end_early

    enrolment = _active()
    termination = _submit(enrolment, termination_date=D(2024, 8, 15))
    termination_process(termination=termination, by=None)
    with pytest.raises(ValidationError, match="ne peut pas précéder"):
        portability_end_early(
            termination=termination,
            benefits_end=D(2024, 8, 1),
            cause=EarlyEndCause.NEW_JOB,
            by=None,
        )
    end = portability_end_early(
        termination=termination,
        benefits_end=D(2024, 10, 31),
        cause=EarlyEndCause.NEW_JOB,
        by=None,
    )
    assert end == D(2024, 10, 31)
    employer_labels = termination.request.events.filter(visible_to_employer=True).values_list(
        "label", flat=True
    )
    assert not any("emploi" in label for label in employer_labels)
    # Never later than the computed end.
    later = portability_end_early(
        termination=termination, benefits_end=D(2026, 1, 1), cause=EarlyEndCause.RETIREMENT, by=None
    )
    assert later == D(2024, 10, 31)
    assert portability_end_due(today=D(2024, 11, 1)) == 1
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TERMINATED


def test_back_office_sees_periods_lacking_their_proof(admin_client, time_machine):
    from django.urls import reverse

    time_machine.move_to(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))
    with_proof = _submit(_active(), termination_date=D(2026, 10, 31))
    without = _submit(_active(), termination_date=D(2026, 10, 31))
    no_portability = _submit(
        _active(), termination_date=D(2026, 10, 31), reason=TerminationReason.RESIGNATION
    )
    for termination in (with_proof, without, no_portability):
        termination_process(termination=termination, by=None)
    changelist = reverse("admin:enrolment_termination_changelist")
    admin_client.post(
        changelist,
        {"action": "record_unemployment_proof_today", "_selected_action": [with_proof.pk]},
    )
    with_proof.refresh_from_db()
    assert with_proof.unemployment_proof_on == D(2026, 11, 30)
    response = admin_client.get(changelist, {"justificatif_chomage": "a_demander"})
    assert list(response.context["cl"].result_list) == [without]
    # 91 days later, the proof received is stale too.
    from enrolment.services.termination import portability_proofs_due

    assert set(portability_proofs_due(today=D(2027, 3, 1))) == {with_proof, without}
