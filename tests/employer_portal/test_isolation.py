"""Every page with another company's ids gives 404 (never 403: ids are not confirmed)."""

import pytest
from django.urls import reverse

from enrolment.enums import EnrolmentStatus
from tests.mutuelle.factories import OfferFactory

pytestmark = pytest.mark.django_db


def test_other_company_pages_are_404(hr, company, other_enrolment):
    other_company = other_enrolment.employee.company
    for name in ("home", "company", "requests", "employees", "documents"):
        assert (
            hr.get(reverse(f"employer_portal:{name}", args=[other_company.pk])).status_code == 404
        )
    for fmt in ("xlsx", "csv"):
        assert (
            hr.get(
                reverse("employer_portal:employees_export", args=[other_company.pk, fmt])
            ).status_code
            == 404
        )
    assert (
        hr.get(
            reverse("employer_portal:affiliation_certificate", args=[other_company.pk])
        ).status_code
        == 404
    )


def test_other_company_objects_inside_own_company_are_404(hr, company, other_enrolment):
    other_request = other_enrolment.requests.get()
    c = company.pk
    gets = [
        reverse("employer_portal:request_detail", args=[c, other_request.pk]),
        reverse("employer_portal:employee_detail", args=[c, other_enrolment.pk]),
        reverse("employer_portal:employee_terminate", args=[c, other_enrolment.pk]),
        reverse(
            "employer_portal:guarantee_table",
            args=[c, OfferFactory(group__contract__company=other_enrolment.employee.company).pk],
        ),
    ]
    for path in gets:
        assert hr.get(path).status_code == 404, path
    posts = [
        reverse("employer_portal:request_remind", args=[c, other_request.pk]),
        reverse("employer_portal:request_cancel", args=[c, other_request.pk]),
        reverse("employer_portal:employee_terminate", args=[c, other_enrolment.pk]),
    ]
    for path in posts:
        assert hr.post(path).status_code == 404, path
    other_enrolment.refresh_from_db()
    assert other_enrolment.status == EnrolmentStatus.INVITED


def test_other_company_form_pages_are_404(hr, company, other_enrolment):
    other = other_enrolment.employee.company.pk
    for name in (
        "add_employees",
        "preaffiliation_form",
        "preaffiliation_address",
        "preaffiliation_review",
    ):
        assert hr.get(reverse(f"employer_portal:{name}", args=[other])).status_code == 404
    for name in ("preaffiliation_submit", "preaffiliation_cancel"):
        assert hr.post(reverse(f"employer_portal:{name}", args=[other])).status_code == 404
