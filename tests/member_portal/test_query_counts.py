"""The member's list and detail pages (dispensation tracking, signature pages) answer in
a fixed number of queries: the same with one row as with many."""

import datetime as dt

import pytest
from django.urls import reverse

from enrolment.enums import Relationship
from enrolment.models import Beneficiary
from tests.dispensations.factories import submit
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db

ROWS = [1, 4]


@pytest.mark.parametrize("rows", ROWS)
def test_dispensation_tracking_queries(client, rows, django_assert_num_queries):
    first = EnrolmentFactory(
        invited=True,
        employee__user=UserFactory(),
        employee__payroll_id="M-1024",
        group__contract__dispensation_enabled=True,
    )
    submit(first)
    for _ in range(rows - 1):
        # Another contract of the same employer: one dispensation request each.
        other = EnrolmentFactory(
            invited=True, employee=first.employee, group__contract__dispensation_enabled=True
        )
        submit(other)
    user = first.employee.user
    client.force_login(user)
    target = reverse("member_portal:dispensation_list")
    assert client.get(target).status_code == 200
    with django_assert_num_queries(7):
        response = client.get(target)
    assert response.status_code == 200
    assert len(response.context["dispensations"]) == rows


SIGNATURE_PAGE_QUERIES = {"signature_start": 12, "signature_form": 16}


@pytest.mark.parametrize("name", SIGNATURE_PAGE_QUERIES)
@pytest.mark.parametrize("children", ROWS)
def test_signature_pages_queries(client, name, children, django_assert_num_queries):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    for i in range(children):
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.CHILD,
            civility="M",
            first_name=f"Enfant{i}",
            last_name="Durand",
            birth_date=dt.date(2012 + i, 2, 1),
        )
    client.force_login(enrolment.employee.user)
    target = reverse(f"member_portal:{name}", args=[enrolment.pk])
    assert client.get(target).status_code == 200
    with django_assert_num_queries(SIGNATURE_PAGE_QUERIES[name]):
        assert client.get(target).status_code == 200
