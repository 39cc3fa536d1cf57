"""The employee's forms (wizard, signature, dispensation, account): every error in one
pass, the error summary, fields tied to their messages, autocomplete on the person's own
data, one h1 (RGAA 9.1, 11.10, 11.13)."""

import pytest
from django.urls import reverse

from enrolment.models import Beneficiary
from tests.dispensations.factories import employee_enrolment
from tests.enrolment.factories import EnrolmentFactory
from tests.form_checks import dangling_references, field, parse, summary_targets
from tests.mutuelle.factories import PASSWORD

from .helpers import url
from .test_wizard import _at, _with_offer, member, profile_data  # noqa: F401

pytestmark = pytest.mark.django_db


def test_profile_errors_and_missing_phone_said_in_one_pass(client, member):  # noqa: F811
    """The phone (a recommended field) used to be pointed out one submit later."""
    response = client.post(
        url("wizard_profile"), profile_data(member, first_name="", postal_code="7500", phone="")
    )
    form = response.context["form"]
    assert {"first_name", "postal_code"} <= set(form.errors)
    html = response.content.decode()
    assert summary_targets(html) == ["id_first_name", "id_postal_code"]
    assert "Champ « téléphone » non renseigné" in html
    phone = field(html, "id_phone")
    assert "id_phone_warning" in phone.get("aria-describedby").split()
    assert "Oui, continuer" not in html  # only once the errors are corrected
    assert not dangling_references(html)
    # Corrected: the warning alone, with the way on.
    html = client.post(url("wizard_profile"), profile_data(member, phone="")).content.decode()
    warning = parse(html).xpath("//*[@data-error-summary]")[0]
    assert warning.get("id") == "verification" and "Oui, continuer" in warning.text_content()
    assert warning.xpath(".//a/@href")[0] == "#id_phone"


def test_profile_fields_have_autocomplete_tokens(client, member):  # noqa: F811
    html = client.get(url("wizard_profile")).content.decode()
    expected = {
        "id_last_name": "family-name",
        "id_first_name": "given-name",
        "id_birth_date": "bday",
        "id_address_street": "address-line1",
        "id_postal_code": "postal-code",
        "id_city": "address-level2",
        "id_country": "country-name",
        "id_phone": "tel",
    }
    for field_id, token in expected.items():
        assert field(html, field_id).get("autocomplete") == token, field_id
    for name in ("id_address_street", "id_postal_code", "id_city", "id_nir"):
        assert field(html, name).get("aria-required") == "true"
    assert not dangling_references(html)


def test_bank_holder_autocomplete_only_for_the_members_own_account(client, member):  # noqa: F811
    _with_offer(member)
    Beneficiary.objects.create(
        enrolment=member,
        relationship="enfant",
        civility="MME",
        last_name="Durand",
        first_name="Lou",
        birth_date="2015-06-01",
    )
    html = client.get(url("wizard_bank")).content.decode()
    assert field(html, "id_prestations-holder").get("autocomplete") == "name"
    assert field(html, "id_rib-prelevement-holder").get("autocomplete") == "name"
    holders = parse(html).xpath("//input[starts-with(@id, 'id_ben')][contains(@id, 'holder')]")
    assert holders and all(h.get("autocomplete") != "name" for h in holders)
    response = client.post(url("wizard_bank"), {"prestations-holder": ""})
    html = response.content.decode()
    targets = summary_targets(html)
    assert "id_prestations-holder" in targets and "id_prestations-iban" in targets
    assert not dangling_references(html)


def test_dispensation_errors_in_one_pass(client):
    """A wrong hire date used to hide the case's own rules (the end date)."""
    enrolment = employee_enrolment()
    client.force_login(enrolment.employee.user)
    response = client.post(
        reverse("member_portal:dispensation_start"),
        {"hire_date": "31/02/2024", "case": "individual_contract", "sworn_statement": ""},
    )
    errors = response.context["form"].errors
    assert {"hire_date", "end_date", "sworn_statement"} <= set(errors)
    html = response.content.decode()
    assert {"id_hire_date", "id_end_date", "id_sworn_statement"} <= set(summary_targets(html))
    first_case = field(html, "id_case_0")  # the summary's link for the case
    assert first_case.get("type") == "radio" and first_case.label is not None
    assert not dangling_references(html)


def test_signature_pages_one_h1_and_fields_tied(client):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    client.login(username=enrolment.employee.user.username, password=PASSWORD)
    page = reverse("member_portal:signature_form", args=[enrolment.pk])
    html = client.get(page).content.decode()
    assert len(parse(html).xpath("//h1")) == 1
    assert parse(html).xpath("//*[@id='form-preview']//p[@class='preview-h1']")
    assert not dangling_references(html)
    # Consents missing: the summary links to both boxes.
    html = client.post(page, {"fingerprint": "x"}).content.decode()
    assert summary_targets(html)[-2:] == ["id_certify", "id_contract_document"]
    assert not dangling_references(html)


def test_back_office_login_has_a_heading(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert [h.text_content() for h in parse(html).xpath("//h1")] == ["Connexion"]


def test_offer_choice_error_links_to_the_first_offer(client, member):  # noqa: F811
    _with_offer(member)
    _at(member, "offers")
    html = client.post(url("wizard_offers"), {"offer": ""}).content.decode()
    assert summary_targets(html) == ["id_offer_0"]
    fieldset = field(html, "id_offer_0").xpath("ancestor::fieldset[1]")[0]
    assert fieldset.get("aria-describedby") == "id_offer_error"
    assert not dangling_references(html)


def test_session_deadline_given_to_the_script_as_a_plain_number(client, member):  # noqa: F811
    """« 28 786 » (the French thousands separator) made the script read 28 seconds and
    show the end-of-session warning over every page."""
    html = client.get(url("wizard_profile")).content.decode()
    warning = field(html, "session-warning")
    assert warning.get("data-remaining").isdigit() and int(warning.get("data-remaining")) > 1000
    assert warning.get("data-warning").isdigit()
