"""The back office lands on a dashboard of every queue: count, oldest item, link."""

import datetime as dt

import pytest
from django.urls import reverse

from enrolment.enums import EnrolmentStatus, TerminationReason, UnemploymentEligibility
from enrolment.services.termination import termination_submit
from tests.enrolment.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db
# Session, user, one aggregate per queue (6), one grouped query for the member-request
# queues, Django's recent actions.
EXPECTED_QUERIES = 10


def _terminations(count: int):
    for _ in range(count):
        termination_submit(
            enrolment=EnrolmentFactory(active=True),
            hire_date=dt.date(2024, 3, 1),
            termination_date=dt.date(2024, 8, 15),
            reason=TerminationReason.DISMISSAL,
            unemployment=UnemploymentEligibility.YES,
            by=None,
        )


def _home(admin_client, django_assert_num_queries, queries):
    with django_assert_num_queries(queries):
        response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {queue.label: queue for queue in response.context["queues"]}


def test_dashboard_counts_every_queue_in_a_constant_number_of_queries(
    admin_client, django_assert_num_queries
):
    _home(admin_client, django_assert_num_queries, EXPECTED_QUERIES)
    _terminations(1)
    EnrolmentFactory(status=EnrolmentStatus.SIGNED)
    one = _home(admin_client, django_assert_num_queries, EXPECTED_QUERIES)
    assert one["Résiliations à traiter"].count == 1
    assert one["Adhésions signées à valider"].count == 1
    _terminations(4)
    many = _home(admin_client, django_assert_num_queries, EXPECTED_QUERIES)
    assert many["Résiliations à traiter"].count == 5
    assert many["Résiliations à traiter"].oldest_days == 0
    assert "?status__exact=submitted" in many["Résiliations à traiter"].url
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Files de travail" in html and "Résiliations à traiter" in html
    # Each link opens the filtered list.
    listing = admin_client.get(many["Résiliations à traiter"].url)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 5


def test_member_request_queues_come_from_the_admin_registry(admin_client):
    queues = admin_client.get(reverse("admin:index")).context["queues"]
    labels = {queue.label for queue in queues}
    assert {"Messages adhérents en attente de réponse", "Courriers à poster"} <= labels
    member_queues = [q for q in queues if "status__in=" in q.url]
    assert len(member_queues) >= 4
    for queue in member_queues:
        assert admin_client.get(queue.url).status_code == 200
