"""Issue 12 §1, the employer's number: the correspondent gives the mobile at
pre-affiliation; the employee activates the account, finds it pre-filled on the profile
step (kept without a new code) and receives the signature code on it; the evidence and
the sealed dossier say that the employer gave it."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from enrolment.enums import BankAccountPurpose, EnrolmentStatus, PhoneSource
from enrolment.models import BankAccount, Employee, Enrolment, SignatureAttempt
from enrolment.services.wizard import wizard_validate
from enrolment.signature.membership_form import phone_origin_text
from enrolment.signature.models import SignatureEvidence
from mutuelle.models import OutboxMessage
from tests.employer_portal.test_preaffiliation_form import employee_data
from tests.enrolment.factories import (
    BIC_BENEFITS,
    BIC_CONTRIBUTIONS,
    IBAN_BENEFITS,
    IBAN_CONTRIBUTIONS,
)
from tests.enrolment.signing import last_sms_code, pdf_text, prepare_attempt
from tests.mutuelle.factories import CorrespondentAccessFactory, InsuredGroupFactory, OfferFactory

from .helpers import invitation_path, url
from .test_wizard import profile_data

pytestmark = pytest.mark.django_db
PASSWORD = "Soleil-Levant-2026!"


def _sms() -> list[str]:
    return list(OutboxMessage.objects.filter(channel="sms").values_list("recipient", flat=True))


def test_employer_mobile_prefilled_at_the_profile_step_then_receives_the_signature_code(
    client, django_capture_on_commit_callbacks
):
    # The correspondent declares the employee with her mobile.
    access = CorrespondentAccessFactory()
    company = access.company
    group = InsuredGroupFactory(contract__company=company, name="Cadres")
    client.force_login(access.user)
    data = employee_data(
        group, phone="06 12 34 56 78", address_street="RUE DES LILAS", city="PARIS"
    )
    form_url = reverse("employer_portal:preaffiliation_form", args=[company.pk])
    assert client.post(form_url, data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("employer_portal:preaffiliation_submit", args=[company.pk]))
    enrolment = Enrolment.objects.get()
    employee = enrolment.employee
    assert enrolment.status == EnrolmentStatus.INVITED
    assert str(employee.phone) == "+33612345678"
    assert employee.phone_source == PhoneSource.EMPLOYER
    client.logout()

    # She activates her account with the birth date the employer declared.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invitation_path(enrolment),
            {
                "birth_date": "12/05/1990",
                "has_personal_email": "non",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    client.post(url("welcome"))

    # The profile step shows the employer's number; keeping it asks for no code.
    page = unescape(client.get(url("wizard_profile")).content.decode())
    assert 'name="phone" value="06 12 34 56 78"' in page
    profile = profile_data(
        enrolment,
        civility="MME",
        first_name="Émilie",
        birth_date="12/05/1990",
        phone="06 12 34 56 78",
    )
    response = client.post(url("wizard_profile"), profile)
    assert response.url == url("wizard_beneficiaries")
    assert _sms() == [] and not SignatureAttempt.objects.exists()
    employee.refresh_from_db()
    assert employee.phone_source == PhoneSource.EMPLOYER and employee.phone_confirmed_at is None

    # The rest of the wizard (offer, bank details), then the recap validated.
    enrolment.offer = OfferFactory(
        group=group, level="base_opt1", member_monthly_cost=Decimal("12.40")
    )
    enrolment.debit_frequency, enrolment.debit_day = "mensuelle", 10
    enrolment.save(update_fields=["offer", "debit_frequency", "debit_day"])
    for purpose, iban, bic in (
        (BankAccountPurpose.BENEFITS, IBAN_BENEFITS, BIC_BENEFITS),
        (BankAccountPurpose.CONTRIBUTIONS, IBAN_CONTRIBUTIONS, BIC_CONTRIBUTIONS),
    ):
        BankAccount.objects.create(
            enrolment=enrolment, purpose=purpose, holder="Émilie Lefèvre", iban=iban, bic=bic
        )
    assert wizard_validate(enrolment=enrolment) == []

    # The signature code goes to the employer's number, whatever the request says.
    prepare_attempt(enrolment)
    sms_url = reverse("member_portal:signature_sms", args=[enrolment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(sms_url, {"action": "send", "tel-phone": "07 81 22 33 44"})
    assert _sms() == ["+33612345678"]
    assert "06 •• •• •• 78" in client.get(sms_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sms_url, {"action": "verify", "sms-code": last_sms_code()})
    assert response.url == reverse("member_portal:signature_done", args=[enrolment.pk])

    evidence = SignatureEvidence.objects.get()
    assert evidence.phone == "+33612345678"
    assert evidence.phone_source == PhoneSource.EMPLOYER
    # No separate confirmation: the signature code itself was received on it.
    assert evidence.phone_confirmed_at is None
    origin = phone_origin_text(evidence)
    assert origin.startswith("Déclaré par l'employeur à la pré-affiliation")
    assert "le code de signature y a été reçu" in origin
    with evidence.dossier.open("rb") as handle:
        dossier = pdf_text(handle.read())
    assert "Origine de ce numéro Déclaré par l'employeur à la pré-affiliation" in dossier
    assert Employee.objects.get().phone_source == PhoneSource.EMPLOYER
