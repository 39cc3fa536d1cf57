"""Prévoyance: the employer's declaration affiliates at once (no invitation, wizard,
signature or dispensation); the employee receives the notice d'information by e-mail;
terminations and portability follow the health contract's rules; no tiers-payant card."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from enrolment.enums import (
    EnrolmentStatus,
    RequestStatus,
    RequestType,
    TerminationReason,
)
from enrolment.enums import UnemploymentEligibility as U
from enrolment.member_models import MemberCard
from enrolment.models import Enrolment, PostalLetter, Request, SingleUseLink
from enrolment.services.card import member_cards_renew_due
from enrolment.services.preaffiliation import check_employee, enrolment_pre_affiliate
from enrolment.services.provident import (
    provident_notice_name,
    provident_notice_pdf,
    provident_notices_send,
)
from enrolment.services.termination import termination_process, termination_submit
from mutuelle.admin import ContractForm
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import CompanyFactory, ContractFactory, InsuredGroupFactory, UserFactory
from .factories import EmployeeFactory, EnrolmentFactory, make_nir
from .test_preaffiliation import TODAY, row

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def company():
    return CompanyFactory(legal_name="Boulangerie Martin & Fils")


@pytest.fixture
def provident_group(company):
    contract = ContractFactory(company=company, product_line="prevoyance", number="PV-0042")
    return InsuredGroupFactory(contract=contract, name="Non-cadres")


def affiliate(group, rows, *, by=None):
    return enrolment_pre_affiliate(
        company=group.contract.company,
        contract=group.contract,
        group=group,
        rows=rows,
        by=by,
        today=TODAY,
    )


def test_declaration_affiliates_at_once_without_invitation_or_letters(
    provident_group, django_capture_on_commit_callbacks
):
    correspondent = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [enrolment] = affiliate(
            provident_group,
            [row(email="", address_street="", postal_code="", city="")],
            by=correspondent,
        )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.activated_at is not None
    assert enrolment.invited_at is None and enrolment.expires_at is None
    assert enrolment.effective_date == D(2026, 10, 1)
    # No invitation link, no postal letters of identifiers, no e-mail without an address.
    assert not SingleUseLink.objects.exists()
    assert not PostalLetter.objects.exists()
    assert not OutboxMessage.objects.exists()
    request = Request.objects.get(enrolment=enrolment)
    assert request.type == RequestType.AFFILIATION
    assert request.status == RequestStatus.CLOSED
    assert request.closed_at is not None
    [event] = request.events.all()
    assert event.to_status == EnrolmentStatus.ACTIVE
    assert event.actor == correspondent
    assert "adhésion obligatoire" in event.label


def test_no_postal_address_needed_without_email_unlike_health(provident_group, company):
    data = row(email="", address_street="", postal_code="", city="")
    provident = check_employee(
        data, company=company, contract=provident_group.contract, today=TODAY
    )
    assert provident.errors == {}
    health = check_employee(
        data, company=company, contract=ContractFactory(company=company), today=TODAY
    )
    assert set(health.errors) == {"address_street", "postal_code", "city"}


def test_notice_emailed_once_with_the_generated_pdf(
    provident_group, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [enrolment] = affiliate(
            provident_group, [row(civility="Madame", first_name="Zoé", nir=make_nir(2, sex="2"))]
        )
    message = OutboxMessage.objects.get(key=f"provident_notice:{enrolment.pk}")
    # Plain text: never HTML-escaped.
    assert message.subject == (
        "Votre affiliation au contrat de prévoyance de Boulangerie Martin & Fils : "
        "votre notice d'information"
    )
    assert "Boulangerie Martin & Fils vous a affiliée au contrat de prévoyance" in (
        message.body_text
    )
    assert "couverte à partir du 01/10/2026" in message.body_text
    assert f"Votre numéro d'adhérent : {enrolment.member_number}" in message.body_text
    [sent] = mail.outbox
    assert sent.to == ["jp.dupont@example.fr"]
    [(filename, content, mimetype)] = sent.attachments
    assert (filename, mimetype) == ("PV-0042.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    # Generated once and kept on the contract; a second run sends nothing again.
    provident_group.contract.refresh_from_db()
    assert provident_group.contract.information_notice.name == message.attachment.name
    with django_capture_on_commit_callbacks(execute=True):
        assert provident_notices_send(enrolment_ids=[enrolment.pk]) == 0
    assert len(mail.outbox) == 1


def test_generated_notice_names_the_contract_and_its_groups(provident_group):
    name = provident_notice_name(contract=provident_group.contract)
    provident_group.contract.refresh_from_db()
    with provident_group.contract.information_notice.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    assert name.startswith("notices/")
    assert "Prévoyance n° PV-0042" in text
    assert "Boulangerie Martin & Fils" in text
    assert "Non-cadres" in text
    assert "L911-8" in text


def test_uploaded_notice_is_the_one_sent(provident_group, django_capture_on_commit_callbacks):
    contract = provident_group.contract
    contract.information_notice.save("notice.pdf", ContentFile(b"%PDF-1.4 notice de l'assureur"))
    with django_capture_on_commit_callbacks(execute=True):
        affiliate(provident_group, [row()])
    [(_name, content, _type)] = mail.outbox[0].attachments
    assert content == b"%PDF-1.4 notice de l'assureur"


def test_health_declaration_unchanged(company, django_capture_on_commit_callbacks):
    group = InsuredGroupFactory(contract=ContractFactory(company=company))
    with django_capture_on_commit_callbacks(execute=True):
        [enrolment] = affiliate(group, [row()])
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    assert OutboxMessage.objects.filter(key=f"invitation:{enrolment.pk}").exists()
    assert not OutboxMessage.objects.filter(key__startswith="provident_notice:").exists()


def test_health_member_affiliated_to_provident_keeps_one_employee_record(
    provident_group, company, django_capture_on_commit_callbacks
):
    health = EnrolmentFactory(
        employee=EmployeeFactory(company=company, nir=make_nir(1)), active=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        [provident] = affiliate(provident_group, [row(nir=make_nir(1))])
    assert provident.employee_id == health.employee_id
    assert set(
        Enrolment.objects.filter(employee=health.employee).values_list("status", flat=True)
    ) == {EnrolmentStatus.ACTIVE}
    # Declared twice on the prévoyance contract: refused like a health duplicate.
    errors = check_employee(
        row(nir=make_nir(1)), company=company, contract=provident_group.contract, today=TODAY
    ).errors
    assert "nir" in errors


def _provident_enrolment(provident_group):
    return EnrolmentFactory(
        group=provident_group,
        employee__company=provident_group.contract.company,
        status=EnrolmentStatus.ACTIVE,
        effective_date=D(2024, 3, 1),
    )


def _terminate(enrolment, *, reason, unemployment):
    """The correspondent ends the employment contract on 15/08/2024 (hired 01/03/2024)."""
    return termination_submit(
        enrolment=enrolment,
        hire_date=D(2024, 3, 1),
        termination_date=D(2024, 8, 15),
        reason=reason,
        unemployment=unemployment,
        by=None,
    )


def test_termination_with_portability_applies_to_provident(
    provident_group, django_capture_on_commit_callbacks
):
    enrolment = _provident_enrolment(provident_group)
    termination = _terminate(enrolment, reason=TerminationReason.DISMISSAL, unemployment=U.YES)
    assert termination.portability and termination.portability_end_date == D(2025, 2, 15)
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=UserFactory(staff=True))
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PORTABILITY
    assert enrolment.end_date == D(2025, 2, 15)
    message = OutboxMessage.objects.get(key=f"termination:{termination.pk}")
    assert "maintien de vos garanties de prévoyance" in message.subject
    assert "vos garanties de prévoyance (décès, incapacité, invalidité)" in message.body_text
    assert "santé" not in message.body_text
    # No tiers-payant card for a prévoyance contract.
    assert not MemberCard.objects.exists()


def test_termination_without_portability_ends_provident_cover(
    provident_group, django_capture_on_commit_callbacks
):
    enrolment = _provident_enrolment(provident_group)
    termination = _terminate(enrolment, reason=TerminationReason.RETIREMENT, unemployment=None)
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=None)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TERMINATED
    message = OutboxMessage.objects.get(key=f"termination:{termination.pk}")
    assert "contrat de prévoyance" in message.subject
    assert "de prévoyance n° PV-0042 prend fin le 15/08/2024" in message.body_text
    assert "bénéficiaires" not in message.body_text


def test_card_renewal_skips_provident(provident_group):
    _provident_enrolment(provident_group)
    assert member_cards_renew_due(today=D(2026, 1, 2)) == 0
    assert not MemberCard.objects.exists()


def test_no_dispensation_on_a_provident_contract(provident_group):
    contract = provident_group.contract
    contract.dispensation_enabled = True
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert "aucune dispense" in str(error.value.message_dict["dispensation_enabled"])
    ContractFactory(dispensation_enabled=True).full_clean()  # health: allowed


def _contract_form(contract, notice):
    data = {
        "company": contract.company_id,
        "number": contract.number,
        "product_line": contract.product_line,
        "start_date": "2024-01-01",
        "employee_debit": "on",
        "beneficiaries_debited": "on",
        "debit_frequencies": '["mensuelle"]',
        "debit_days": "[5, 10]",
        "child_age_limit": 21,
        "student_child_age_limit": 26,
    }
    return ContractForm(data=data, files={"information_notice": notice}, instance=contract)


def test_back_office_notice_upload_checked_from_its_content(provident_group):
    contract = provident_group.contract
    fake = SimpleUploadedFile("notice.pdf", b"<html><script>alert(1)</script></html>")
    form = _contract_form(contract, fake)
    assert not form.is_valid()
    assert form.errors["information_notice"] == ["Le fichier n'est pas un PDF."]
    real = SimpleUploadedFile("notice.pdf", provident_notice_pdf(contract))
    form = _contract_form(contract, real)
    assert form.is_valid(), form.errors
    form.save()
    contract.refresh_from_db()
    assert provident_notice_name(contract=contract) == contract.information_notice.name
    assert contract.information_notice.name == "notices/PV-0042.pdf"


def test_back_office_notice_upload_size_limited(provident_group):
    big = SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    form = _contract_form(provident_group.contract, big)
    assert not form.is_valid()
    assert form.errors["information_notice"] == [
        "Le fichier dépasse la taille maximale de 10\u00a0Mo."
    ]
