"""The company space's forms: every error in one pass, an error summary linking to the
fields, required fields exposed, errors and help tied to their fields (RGAA 11)."""

import pytest
from django.urls import reverse

from employer_portal.forms import PreAffiliationForm
from enrolment.enums import EnrolmentStatus
from tests.form_checks import dangling_references, field, parse, summary_targets

pytestmark = pytest.mark.django_db


def url(name, company, *args):
    return reverse(f"employer_portal:{name}", args=[company.pk, *args])


def test_empty_preaffiliation_form_shows_every_error_at_once(hr, company, group):
    """The group's error used to hide the eight others until the next submit."""
    response = hr.post(url("preaffiliation_form", company), {})
    form = response.context["form"]
    assert set(PreAffiliationForm.REQUIRED) <= set(form.errors)
    html = response.content.decode()
    targets = summary_targets(html)
    for name in ("id_civility_0", "id_first_name", "id_birth_date", "id_nir", "id_group"):
        assert name in targets
    assert len(targets) == sum(len(errors) for errors in form.errors.values())
    assert not dangling_references(html)


def test_missing_group_does_not_hide_the_rules_of_other_fields(hr, company, group):
    response = hr.post(
        url("preaffiliation_form", company),
        {"first_name": "Émilie", "birth_date": "31/02/1990", "nir": "123", "group": ""},
    )
    errors = response.context["form"].errors
    assert "group" in errors
    assert "JJ/MM/AAAA" in errors["birth_date"][0]
    assert "nir" in errors and "last_name" in errors


def test_required_fields_exposed_and_errors_tied_to_fields(hr, company, group):
    html = hr.get(url("preaffiliation_form", company)).content.decode()
    for name in ("first_name", "last_name", "birth_date", "nir", "hire_date", "effective_date"):
        element = field(html, f"id_{name}")
        assert element.get("aria-required") == "true" and "required" in element.attrib, name
    assert field(html, "id_group").get("aria-required") == "true"
    assert "aria-required" not in field(html, "id_email").attrib
    assert "required" in field(html, "id_civility_0").attrib
    fieldset = field(html, "id_civility_0").xpath("ancestor::fieldset[1]")[0]
    assert fieldset.get("aria-required") == "true" and fieldset.get("role") == "radiogroup"

    html = hr.post(url("preaffiliation_form", company), {}).content.decode()
    fieldset = field(html, "id_civility_0").xpath("ancestor::fieldset[1]")[0]
    assert "id_civility_error" in fieldset.get("aria-describedby").split()
    group = field(html, "id_group")
    assert group.get("aria-invalid") == "true"
    assert group.get("aria-describedby") == "id_group_helptext id_group_error"
    assert not parse(html).xpath("//ul[contains(@class, 'errorlist')][@role]")
    assert not dangling_references(html)


def test_dates_typed_as_jj_mm_aaaa_everywhere(hr, company, make_enrolment):
    """One convention: the termination form no longer uses the browser's date picker."""
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    html = hr.get(url("employee_terminate", company, enrolment.pk)).content.decode()
    hire = field(html, "id_hire_date")
    assert hire.get("type") == "text" and hire.get("inputmode") == "numeric"
    assert "Format attendu : JJ/MM/AAAA" in field(html, "champ-hire_date").text_content()
    assert not parse(html).xpath("//input[@type='date']")
    html = hr.get(url("preaffiliation_form", company)).content.decode()
    assert "Format attendu : JJ/MM/AAAA" in field(html, "champ-birth_date").text_content()


def test_termination_errors_in_one_pass(hr, company, make_enrolment):
    """A wrong date used to hide the other rules (here: the unemployment answer)."""
    enrolment = make_enrolment(status=EnrolmentStatus.ACTIVE)
    response = hr.post(
        url("employee_terminate", company, enrolment.pk),
        {"hire_date": "32/13/2024", "termination_date": "", "reason": "licenciement"},
    )
    errors = response.context["form"].errors
    assert {"hire_date", "termination_date", "unemployment"} <= set(errors)
    html = response.content.decode()
    assert {"id_hire_date", "id_termination_date", "id_unemployment_0"} <= set(
        summary_targets(html)
    )
    fieldset = field(html, "id_unemployment_0").xpath("ancestor::fieldset[1]")[0]
    assert "id_unemployment_error" in fieldset.get("aria-describedby").split()
    assert not dangling_references(html)


def test_choice_page_radio_group_has_its_error(hr, company):
    html = hr.post(url("add_employees", company), {"mode": ""}).content.decode()
    assert summary_targets(html) == ["id_mode_0"]
    fieldset = field(html, "id_mode_0").xpath("ancestor::fieldset[1]")[0]
    assert fieldset.get("aria-describedby") == "id_mode_error"
    assert not dangling_references(html)
