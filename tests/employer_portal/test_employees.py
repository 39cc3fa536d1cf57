import csv
import datetime as dt
import io
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from employer_portal.exports import neutralise
from enrolment.enums import EnrolmentStatus, RequestType, TerminationStatus
from enrolment.models import Beneficiary, Enrolment, Termination

pytestmark = pytest.mark.django_db


def url(name, company, *args):
    return reverse(f"employer_portal:{name}", args=[company.pk, *args])


def test_list_search_filter_pagination(hr, company, make_enrolment, django_assert_max_num_queries):
    for i in range(27):
        make_enrolment(employee__last_name=f"Martin{i:02d}", status=EnrolmentStatus.ACTIVE)
    make_enrolment(employee__last_name="Dupont", employee__first_name="Marie", invited=True)
    make_enrolment(employee__last_name="Annulé", status=EnrolmentStatus.CANCELLED)
    with django_assert_max_num_queries(12):
        response = hr.get(url("employees", company))
    assert response.context["page"].paginator.count == 28
    html = response.content.decode()
    assert "Mis en gestion" in html and "N° 22" in html
    # The filters' empty choice reads « Tous », not Django's « --------- ».
    assert "---------" not in html and ">Tous</" in html
    found = hr.get(url("employees", company), {"q": "dupont marie"})
    assert [e.employee.last_name for e in found.context["page"]] == ["Dupont"]
    assert "En cours d'affiliation" in unescape(found.content.decode())
    enrolling = hr.get(url("employees", company), {"status": "enrolling"})
    assert enrolling.context["page"].paginator.count == 1
    number = found.context["page"][0].member_number
    by_number = hr.get(url("employees", company), {"q": number})
    assert by_number.context["page"].paginator.count == 1
    page2 = hr.get(url("employees", company), {"page": 2})
    assert len(page2.context["page"].object_list) == 3


def test_neutralise_formula_cells():
    for dangerous in ("=SUM(A1)", "+33", "-2", "@cmd", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Dupont") == "Dupont"
    assert neutralise(None) is None


def test_export_csv_and_xlsx(hr, company, make_enrolment, django_assert_max_num_queries):
    make_enrolment(employee__last_name="=HYPERLINK(1)", status=EnrolmentStatus.ACTIVE)
    make_enrolment(employee__last_name="Éloïse", employee__payroll_id="@42")
    with django_assert_max_num_queries(10):
        response = hr.get(url("employees_export", company, "csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "N° d'adhérent"
    names = {r[1] for r in rows[1:]}
    assert names == {"'=HYPERLINK(1)", "Éloïse"}
    assert rows[0][3:6] == ["Date de naissance", "Matricule", "E-mail"]
    assert "'@42" in {r[4] for r in rows[1:]}
    eloise = next(r for r in rows[1:] if r[1] == "Éloïse")
    employee = Enrolment.objects.get(employee__last_name="Éloïse").employee
    assert eloise[3] == f"{employee.birth_date:%d/%m/%Y}" and eloise[5] == employee.email
    response = hr.get(url("employees_export", company, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][1] == "Nom"
    assert {v[1] for v in values[1:]} == {"'=HYPERLINK(1)", "Éloïse"}
    # Dates are real dates in Excel, not text.
    row = next(v for v in values[1:] if v[1] == "Éloïse")
    assert row[3].date() == employee.birth_date
    assert isinstance(row[7], dt.datetime)
    assert hr.get(f"/entreprise/{company.pk}/collaborateurs/export.exe").status_code == 404


def test_export_follows_the_filters_on_screen(hr, company, make_enrolment):
    make_enrolment(employee__last_name="Roux", status=EnrolmentStatus.ACTIVE)
    make_enrolment(employee__last_name="Blanc", invited=True)
    listing = hr.get(url("employees", company), {"q": "roux"}).content.decode()
    assert "export.csv?q=roux" in listing or "csv?q=roux" in listing
    body = hr.get(url("employees_export", company, "csv"), {"q": "roux"}).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["Roux"]
    body = hr.get(url("employees_export", company, "csv"), {"status": "active"}).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["Roux"]


def test_detail_shows_beneficiaries_without_names_and_no_bank(
    hr, company, make_enrolment, offer, django_assert_max_num_queries
):
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE, offer=offer)
    for relationship, first in (("conjoint", "Secretconjoint"), ("enfant", "Secretenfant")):
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=relationship,
            civility="MME",
            first_name=first,
            last_name="Cachenom",
            birth_date=dt.date(2015, 1, 1) if relationship == "enfant" else dt.date(1986, 1, 1),
        )
    with django_assert_max_num_queries(12):
        response = hr.get(url("employee_detail", company, enrolment.pk))
    html = response.content.decode()
    assert "Conjoint" in html and "Enfant" in html
    assert "Secretconjoint" not in html and "Secretenfant" not in html and "Cachenom" not in html
    assert "IBAN" not in html
    nir = enrolment.employee.nir
    assert f"{nir[0]} {nir[1:3]} {nir[3:5]}" in html
    assert "Résilier son contrat" in html
    assert offer.get_level_display() in html


def test_terminate_with_portability_preview_then_confirm(hr, company, make_enrolment):
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    path = url("employee_terminate", company, enrolment.pk)
    form = hr.get(path)
    assert 'value="01/03/2024"' in form.content.decode()  # hire date prefilled
    html = unescape(form.content.decode())
    assert "Le salarié peut-il prétendre à l'assurance chômage ?" in html
    assert "activer la portabilité" not in html
    assert "1er juin 2014" in html.replace("<sup>", "").replace("</sup>", "")
    data = {
        "hire_date": "2024-03-01",
        "termination_date": "2024-08-15",
        "reason": "licenciement",
    }
    missing = hr.post(path, data)
    assert "peut prétendre à l'assurance chômage" in unescape(missing.content.decode())
    assert 'value="2024-08-15"' in missing.content.decode()  # typed values kept
    preview = hr.post(path, {**data, "unemployment": "ne_sait_pas"})
    html = unescape(preview.content.decode())
    assert "6 mois" in html and "15/02/2025" in html and "16/08/2024" in html
    assert "s'ouvre de droit" in html and "France Travail en décidera" in html
    assert not Termination.objects.exists()
    done = hr.post(path, {**data, "unemployment": "ne_sait_pas", "step": "confirm"}, follow=True)
    termination = Termination.objects.get()
    assert termination.portability_months == 6
    assert termination.status == TerminationStatus.SUBMITTED
    assert termination.request.type == RequestType.TERMINATION
    assert "a bien été transmise" in done.content.decode()
    detail = hr.get(url("employee_detail", company, enrolment.pk)).content.decode()
    assert "Résilier son contrat" not in detail
    assert "est en cours de traitement" in detail


def test_correspondent_withdraws_a_termination_after_confirming(hr, company, make_enrolment):
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    data = {"hire_date": "2024-03-01", "termination_date": "2024-08-15", "reason": "retraite"}
    hr.post(url("employee_terminate", company, enrolment.pk), {**data, "step": "confirm"})
    termination = Termination.objects.get()
    detail = url("request_detail", company, termination.request_id)
    assert "Retirer la demande de résiliation" in hr.get(detail).content.decode()
    withdraw = url("request_withdraw_termination", company, termination.request_id)
    confirm = hr.get(withdraw)
    assert "Ne pas retirer" in confirm.content.decode()
    termination.refresh_from_db()
    assert termination.status == TerminationStatus.SUBMITTED  # a GET changes nothing
    done = hr.post(withdraw, follow=True)
    assert "a été retirée" in unescape(done.content.decode())
    termination.refresh_from_db()
    assert termination.status == TerminationStatus.CANCELLED
    assert (
        "Résilier son contrat"
        in hr.get(url("employee_detail", company, enrolment.pk)).content.decode()
    )


def test_withdraw_termination_of_another_company_is_404(hr, make_enrolment):
    from tests.mutuelle.factories import CompanyFactory

    other = CompanyFactory()
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    data = {"hire_date": "2024-03-01", "termination_date": "2024-08-15", "reason": "retraite"}
    hr.post(
        url("employee_terminate", enrolment.employee.company, enrolment.pk),
        {**data, "step": "confirm"},
    )
    termination = Termination.objects.get()
    response = hr.post(url("request_withdraw_termination", other, termination.request_id))
    assert response.status_code == 404


def test_scheduled_termination_shown_in_list_and_detail(hr, company, make_enrolment, time_machine):
    from enrolment.services.termination import termination_process

    time_machine.move_to(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    data = {"hire_date": "2024-03-01", "termination_date": "2026-12-31", "reason": "retraite"}
    hr.post(url("employee_terminate", company, enrolment.pk), {**data, "step": "confirm"})
    termination_process(termination=Termination.objects.get(), by=None)
    listing = hr.get(url("employees", company)).content.decode()
    assert "Résiliation programmée au 31/12/2026" in listing
    detail = unescape(hr.get(url("employee_detail", company, enrolment.pk)).content.decode())
    assert "Résiliation programmée au 31/12/2026" in detail
    assert "Résilier son contrat" not in detail


def test_terminate_date_before_effective_date_refused(hr, company, make_enrolment):
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE, effective_date=dt.date(2024, 6, 1))
    response = hr.post(
        url("employee_terminate", company, enrolment.pk),
        {"hire_date": "2024-03-01", "termination_date": "2024-05-01", "reason": "retraite"},
    )
    assert "antérieure à la date d'effet du contrat (01/06/2024)" in unescape(
        response.content.decode()
    )
    assert not Termination.objects.exists()


def test_death_reason_creates_deces_request(hr, company, make_enrolment):
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    data = {"hire_date": "2024-03-01", "termination_date": "2024-08-15", "reason": "deces"}
    hr.post(url("employee_terminate", company, enrolment.pk), {**data, "step": "confirm"})
    assert Termination.objects.get().request.type == RequestType.DEATH


def test_search_ignores_accents_and_case_and_sorting_ignores_case(hr, company, make_enrolment):
    theo = make_enrolment(
        employee__last_name="Roux", employee__first_name="Théo", status=EnrolmentStatus.ACTIVE
    )
    make_enrolment(employee__last_name="BLANC", employee__first_name="Anne", invited=True)
    make_enrolment(employee__last_name="Bernardo", employee__first_name="Luc", invited=True)
    make_enrolment(employee__last_name="d'Arc-Lefèvre", employee__first_name="Zoé", invited=True)
    for term in ("theo", "THÉO", "théo roux", "roux theo"):
        listing = hr.get(url("employees", company), {"q": term})
        assert [e.pk for e in listing.context["page"]] == [theo.pk], term
        requests = hr.get(url("requests", company), {"q": term})
        assert {r.employee_id for r in requests.context["page"]} == {theo.employee_id}, term
    found = hr.get(url("employees", company), {"q": "arc lefevre"}).context["page"]
    assert [e.employee.first_name for e in found] == ["Zoé"]
    names = [e.employee.last_name for e in hr.get(url("employees", company)).context["page"]]
    assert names == ["Bernardo", "BLANC", "d'Arc-Lefèvre", "Roux"]
    html = hr.get(url("employees", company)).content.decode()
    assert "BERNARDO Luc" in html  # kept as typed, shown in capitals


def test_name_key_follows_renames():
    from enrolment.models import Employee

    from ..enrolment.factories import EmployeeFactory

    employee = EmployeeFactory(last_name="Lefèvre", first_name="Théo")
    assert employee.name_key == "LEFEVRE THEO"
    employee.last_name = "Dupont-Aïnès"
    employee.save(update_fields=["last_name"])
    assert Employee.objects.get(pk=employee.pk).name_key == "DUPONT AINES THEO"
    # Bulk inserts (benchmarks, tools) get the key too.
    other = EmployeeFactory.build(company=employee.company, last_name="Émile", nir="")
    (created,) = Employee.objects.bulk_create([other])
    assert Employee.objects.get(pk=created.pk).name_key.startswith("EMILE ")


def test_imported_member_number_is_searched_exported_and_certified(hr, company, make_enrolment):
    imported = make_enrolment(status=EnrolmentStatus.ACTIVE, imported_member_number="18004512")
    derived = make_enrolment(status=EnrolmentStatus.ACTIVE)
    for number, enrolment in (("18004512", imported), (derived.member_number, derived)):
        found = hr.get(url("employees", company), {"q": number})
        assert [e.pk for e in found.context["page"]] == [enrolment.pk]
    export = hr.get(url("employees_export", company, "csv")).content.decode("utf-8-sig")
    assert "18004512" in export and derived.member_number in export


def test_total_is_counted_from_the_contracts_without_joining_the_employees(
    hr, company, make_enrolment
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        make_enrolment(employee__last_name=f"Martin{i}", status=EnrolmentStatus.ACTIVE)
    make_enrolment(employee__last_name="Dupont", invited=True)
    make_enrolment(employee__last_name="Annulé", status=EnrolmentStatus.CANCELLED)

    def total_and_count_sql(**params):
        with CaptureQueriesContext(connection) as queries:
            response = hr.get(url("employees", company), params)
        (sql,) = [
            q["sql"]
            for q in queries
            if "COUNT(*)" in q["sql"] and "enrolment_enrolment" in q["sql"]
        ]
        return response.context["page"].paginator.count, sql

    total, sql = total_and_count_sql()
    assert total == 4 and "enrolment_employee" not in sql
    total, sql = total_and_count_sql(status="active")
    assert total == 3 and "enrolment_employee" not in sql
    total, sql = total_and_count_sql(q="martin")  # a search filters on the names
    assert total == 3 and "enrolment_employee" in sql
