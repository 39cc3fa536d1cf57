"""D911-2 1° and 3° CSS have no time condition: an active member whose situation changes
may ask for a dispensation; the cover ends at the end of the month of acceptance."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from dispensations.enums import DispensationStatus as D
from dispensations.services import (
    dispensation_accept,
    dispensation_refuse,
    dispensation_withdraw,
    dispensations_start_due,
)
from dispensations.tasks import dispensations_daily
from enrolment.enums import EnrolmentStatus as E
from enrolment.enums import RequestStatus
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

from .factories import employee_enrolment, submit

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC), tick=False)


def active_member():
    return employee_enrolment(status=E.ACTIVE, act_cases=["part_time_10_percent"])


def test_active_member_may_only_invoke_cases_without_time_condition():
    enrolment = active_member()
    with pytest.raises(ValidationError) as error:
        submit(enrolment, case="part_time_10_percent")
    assert "en cours d'adhésion" in error.value.message_dict["case"][0]
    dispensation = submit(enrolment, case="spouse_employer")
    enrolment.refresh_from_db()
    assert dispensation.during_membership
    # Still covered while the request is examined; the employer sees a « Dispense » request.
    assert enrolment.status == E.ACTIVE
    assert dispensation.request.status == RequestStatus.PROCESSING
    with pytest.raises(ValidationError, match="déjà en cours"):
        submit(enrolment, case="other_job")


def test_accepted_during_membership_ends_the_cover_at_the_end_of_the_month():
    staff = UserFactory(staff=True)
    with at(dt.date(2026, 11, 12)):
        enrolment = active_member()
        dispensation = submit(enrolment, case="other_job")
        dispensation_accept(dispensation=dispensation, by=staff)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_date) == (E.ACTIVE, dt.date(2026, 11, 30))
    assert enrolment.cover_ends_on == dt.date(2026, 11, 30)
    assert dispensations_start_due(today=dt.date(2026, 11, 30)) == 0
    with at(dt.date(2026, 12, 1)):
        assert dispensations_daily()["started"] == 1
        assert dispensations_daily()["started"] == 0
    enrolment.refresh_from_db()
    assert enrolment.status == E.DISPENSED


def test_refused_or_withdrawn_during_membership_leaves_the_cover_untouched(
    django_capture_on_commit_callbacks,
):
    from mutuelle.models import OutboxMessage

    enrolment = active_member()
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(
            enrolment,
            case="solidarity_cover",
            end_date=timezone.localdate() + dt.timedelta(days=90),
        )
        dispensation_refuse(dispensation=first, by=UserFactory(staff=True), reason="Illisible")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_date) == (E.ACTIVE, None)
    labels = list(first.request.events.values_list("label", flat=True))
    assert "Dispense refusée : l'adhésion continue" in labels
    # No invitation to enrol: the member is covered already.
    assert not OutboxMessage.objects.filter(key__startswith="invitation").exists()
    second = submit(enrolment, case="madelin")
    dispensation_withdraw(dispensation=second, by=enrolment.employee.user)
    second.refresh_from_db()
    enrolment.refresh_from_db()
    assert second.status == D.WITHDRAWN and enrolment.status == E.ACTIVE


def test_employer_list_says_the_cover_ends_by_dispensation(client):
    from django.urls import reverse

    with at(dt.date(2026, 11, 12)):
        enrolment = active_member()
        dispensation_accept(
            dispensation=submit(enrolment, case="camieg"), by=UserFactory(staff=True)
        )
        company = enrolment.employee.company
        access = CorrespondentAccessFactory(company=company)
        client.force_login(access.user)
        html = client.get(reverse("employer_portal:employees", args=[company.pk])).content.decode()
    assert "Dispense acceptée : couvert(e) jusqu'au 30/11/2026" in html
    assert "Résiliation programmée" not in html
    assert "CAMIEG" not in html  # never the case


def test_member_form_offers_only_cases_open_during_membership(client):
    from django.urls import reverse

    enrolment = active_member()
    client.force_login(enrolment.employee.user)
    response = client.get(reverse("member_portal:dispensation_start"))
    assert response.status_code == 200
    codes = {code for code, _ in response.context["form"].fields["case"].choices}
    assert "other_job" in codes and "part_time_10_percent" not in codes
    assert "individual_contract" not in codes
    assert "fin du mois de l'acceptation" in response.content.decode()
