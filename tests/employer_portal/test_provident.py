"""Prévoyance from the company space: the form and the file affiliate at once on the
contract the group designates; the employee's page shows both contracts, the notice
and the termination; tenant isolation of the notice."""

import datetime as dt
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from employer_portal.models import ImportJob
from employer_portal.selectors import company_counters
from enrolment.enums import EnrolmentStatus, RequestType, TerminationStatus
from enrolment.models import Enrolment, PostalLetter, Termination
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EmployeeFactory, EnrolmentFactory, make_nir
from tests.mutuelle.factories import ContractFactory, InsuredGroupFactory, OfferFactory

from .test_import import values, xlsx_bytes
from .test_preaffiliation_form import employee_data

pytestmark = pytest.mark.django_db


def url(name, company, *args):
    return reverse(f"employer_portal:{name}", args=[company.pk, *args])


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def provident_group(company):
    contract = ContractFactory(
        company=company, product_line="prevoyance", number="PV-0042", start_date=dt.date(2024, 1, 1)
    )
    return InsuredGroupFactory(contract=contract, name="Ensemble du personnel")


def test_form_offers_both_contracts_and_affiliates_provident_at_once(
    hr, company, group, provident_group, django_capture_on_commit_callbacks
):
    form = text(hr.get(url("preaffiliation_form", company)))
    assert f"Cadres — Complémentaire santé n° {group.contract.number}" in form
    assert "Ensemble du personnel — Prévoyance n° PV-0042" in form
    assert "Le groupe désigne le contrat" in form
    # One employee on the health contract, two on the prévoyance one (one without e-mail).
    postal = {"address_street": "RUE DES LILAS", "city": "PARIS"}  # no suggestion step
    hr.post(url("preaffiliation_form", company), employee_data(group, 1, **postal))
    hr.post(url("preaffiliation_form", company), employee_data(provident_group, 2, **postal))
    hr.post(
        url("preaffiliation_form", company),
        employee_data(provident_group, 3, email="", **postal),
    )
    review = text(hr.get(url("preaffiliation_review", company)))
    assert "Ensemble du personnel (contrat n° PV-0042)" in review
    with django_capture_on_commit_callbacks(execute=True):
        done = hr.post(url("preaffiliation_submit", company), follow=True)
    page = text(done)
    assert "1 salarié pré-affilié" in page
    assert "2 salariés affiliés au contrat de prévoyance (affiliation obligatoire)" in page
    assert "1 salarié reçoit la notice d'information par e-mail" in page
    assert "1 salarié sans adresse e-mail doit recevoir de vous la notice" in page
    provident = Enrolment.objects.filter(contract=provident_group.contract)
    assert set(provident.values_list("status", flat=True)) == {EnrolmentStatus.ACTIVE}
    health = Enrolment.objects.get(contract=group.contract)
    assert health.status == EnrolmentStatus.INVITED
    notices = OutboxMessage.objects.filter(key__startswith="provident_notice:")
    assert list(notices.values_list("recipient", flat=True)) == ["emilie2@example.fr"]
    assert notices.get().attachment.name.startswith("notices/")
    assert not PostalLetter.objects.filter(enrolment__in=provident).exists()


def test_import_on_the_provident_group(
    hr, company, group, provident_group, django_capture_on_commit_callbacks
):
    start = text(hr.get(reverse("employer_portal:import_start", args=[company.pk])))
    assert "Prévoyance — Ensemble du personnel (contrat n° PV-0042)" in start
    content = xlsx_bytes([values(1), values(2, email="")])
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(
            reverse("employer_portal:import_start", args=[company.pk]),
            {"group": provident_group.pk, "file": SimpleUploadedFile("prev.xlsx", content)},
            follow=True,
        )
    page = text(response)
    assert "2 salariés validés" in page
    assert "Les salariés validés sont affiliés au contrat de prévoyance n° PV-0042" in page
    assert "pré-affiliés" not in page
    job = ImportJob.objects.get()
    assert job.contract == provident_group.contract and job.valid_count == 2
    enrolments = Enrolment.objects.filter(contract=provident_group.contract)
    assert set(enrolments.values_list("status", flat=True)) == {EnrolmentStatus.ACTIVE}
    assert OutboxMessage.objects.filter(key__startswith="provident_notice:").count() == 1
    assert not OutboxMessage.objects.filter(key__startswith="invitation:").exists()
    assert not PostalLetter.objects.exists()


def test_detail_shows_both_contracts_and_the_notice(hr, company, group, provident_group):
    employee = EmployeeFactory(company=company, first_name="Léa")
    health = EnrolmentFactory(
        employee=employee,
        group=group,
        status=EnrolmentStatus.ACTIVE,
        offer=OfferFactory(group=group),
    )
    provident = EnrolmentFactory(
        employee=employee, group=provident_group, status=EnrolmentStatus.ACTIVE
    )
    page = text(hr.get(url("employee_detail", company, health.pk)))
    assert "Contrats du salarié" in page
    assert f"Complémentaire santé n° {group.contract.number}" in page
    assert url("employee_detail", company, provident.pk) in page
    assert "Prévoyance n° PV-0042" in page
    page = text(hr.get(url("employee_detail", company, provident.pk)))
    assert "Contrats du salarié" in page
    assert url("employee_detail", company, health.pk) in page
    assert "Décès, incapacité de travail, invalidité" in page
    assert "envoyée au salarié par e-mail" in page
    assert "Liste des bénéficiaires" not in page
    assert "Résilier son contrat" in page
    notice = hr.get(url("employee_notice", company, provident.pk))
    assert notice.status_code == 200
    assert notice["Content-Type"] == "application/pdf"
    assert b"".join(notice.streaming_content).startswith(b"%PDF-")
    # A health enrolment has no notice d'information.
    assert hr.get(url("employee_notice", company, health.pk)).status_code == 404


def test_health_only_detail_has_no_contracts_section(hr, company, make_enrolment):
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    assert "Contrats du salarié" not in text(hr.get(url("employee_detail", company, enrolment.pk)))


def test_detail_query_count_the_same_with_two_contracts(
    hr, company, group, provident_group, django_assert_num_queries
):
    # The same count as the health-only page (tests/employer_portal/test_query_counts.py).
    employee = EmployeeFactory(company=company)
    health = EnrolmentFactory(employee=employee, group=group, status=EnrolmentStatus.ACTIVE)
    with django_assert_num_queries(8):
        hr.get(url("employee_detail", company, health.pk))
    EnrolmentFactory(employee=employee, group=provident_group, status=EnrolmentStatus.ACTIVE)
    with django_assert_num_queries(8):
        page = text(hr.get(url("employee_detail", company, health.pk)))
    assert "Prévoyance n° PV-0042" in page


def test_terminate_provident_from_the_detail(hr, company, provident_group):
    enrolment = EnrolmentFactory(
        employee__company=company,
        group=provident_group,
        status=EnrolmentStatus.ACTIVE,
        effective_date=dt.date(2024, 3, 1),
    )
    data = {
        "hire_date": "2024-03-01",
        "termination_date": "2024-08-15",
        "reason": "licenciement",
        "unemployment": "oui",
    }
    preview = text(hr.post(url("employee_terminate", company, enrolment.pk), data))
    assert "15/02/2025" in preview  # portability applies to prévoyance (art. L911-8 CSS)
    hr.post(url("employee_terminate", company, enrolment.pk), {**data, "step": "confirm"})
    termination = Termination.objects.get()
    assert termination.enrolment == enrolment
    assert termination.portability and termination.status == TerminationStatus.SUBMITTED
    assert termination.request.type == RequestType.TERMINATION


def test_notice_of_another_company_is_404(hr, company, provident_group):
    other = EnrolmentFactory(
        group=InsuredGroupFactory(contract__product_line="prevoyance"), status="active"
    )
    assert hr.get(url("employee_notice", company, other.pk)).status_code == 404
    assert hr.get(url("employee_detail", company, other.pk)).status_code == 404
    # Nor through the other company's own URL.
    assert hr.get(url("employee_notice", other.employee.company, other.pk)).status_code == 404


def test_import_refuses_a_group_of_another_company(hr, company, group):
    foreign = InsuredGroupFactory(contract__product_line="prevoyance")
    content = xlsx_bytes([values(1, nir=make_nir(7))])
    response = hr.post(
        reverse("employer_portal:import_start", args=[company.pk]),
        {"group": foreign.pk, "file": SimpleUploadedFile("prev.xlsx", content)},
    )
    assert "Sélectionnez un choix valide" in text(response)
    assert not ImportJob.objects.exists()


def test_home_counters_follow_the_health_contract(hr, company, group, provident_group):
    employee = EmployeeFactory(company=company)
    EnrolmentFactory(employee=employee, group=group, invited=True)
    EnrolmentFactory(employee=employee, group=provident_group, status=EnrolmentStatus.ACTIVE)
    counters = company_counters(company)
    assert (counters["waiting"], counters["affiliated"]) == (1, 0)
