"""« Modification de RIB de cotisation » (new mandate signed by SMS code) and « de
prestation » (checked by the back office before payments use it)."""

import datetime as dt
import importlib
import io

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount
from enrolment.services.backoffice import enrolment_validate
from enrolment.signature import membership_form as mf
from enrolment.signature.services import (
    NotSignable,
    SignatureContext,
    signature_code_send,
    signature_code_verify,
    signature_consents_give,
    signature_form_viewed,
)
from member_requests.bank import (
    benefit_account_change_submit,
    benefit_account_for,
    contribution_account_change_submit,
    initial_mandate,
    mandate_body_html,
    mandate_in_force,
    mandate_signature_attempt,
)
from member_requests.enums import MandateStatus as M
from member_requests.enums import MemberRequestStatus as S
from member_requests.models import MemberRequest, SepaMandate
from member_requests.services import (
    member_request_accept,
    member_request_refuse,
    member_request_withdraw,
)
from tests.dispensations.factories import pdf_upload
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import last_sms_code
from tests.enrolment.signing import sign as sign_form
from tests.mutuelle.factories import UserFactory

from .factories import covered_member

pytestmark = pytest.mark.django_db
NEW_IBAN = "FR7630004000031234567890143"
NEW_BIC = "BNPAFRPP"
ORIGIN = SignatureContext(ip_address="203.0.113.9", user_agent="pytest")


def submit_contribution_change(enrolment, **overrides):
    data = {
        "enrolment": enrolment,
        "holder": "Paul Durand",
        "iban": "fr76 3000 4000 0312 3456 7890 143",
        "bic": NEW_BIC,
        "rib": pdf_upload("rib.pdf"),
        "by": enrolment.employee.user,
    }
    data.update(overrides)
    return contribution_account_change_submit(**data)


def sign(mandate) -> None:
    attempt = mandate_signature_attempt(mandate=mandate)
    fingerprint = mf.fingerprint(mandate_body_html(mandate))
    signature_form_viewed(attempt=attempt, fingerprint=fingerprint, how="scroll")
    signature_consents_give(attempt=attempt, fingerprint=fingerprint, ticked=frozenset({"mandate"}))
    signature_code_send(attempt=attempt)
    return signature_code_verify(
        attempt=attempt, code=last_sms_code(), by=mandate.enrolment.employee.user, origin=ORIGIN
    )


def test_bad_iban_bic_and_missing_rib_refused_in_one_pass_nothing_stored():
    enrolment = covered_member()
    with pytest.raises(ValidationError) as refused:
        submit_contribution_change(
            enrolment, holder=" ", iban="FR7630004000031234567890144", bic="XXXX", rib=None
        )
    assert set(refused.value.message_dict) == {"holder", "iban", "bic", "rib"}
    assert not MemberRequest.objects.exists()
    assert [m.reference for m in SepaMandate.objects.all()] == [enrolment.sepa_mandate_reference]


def test_new_mandate_signed_by_sms_then_used_ten_days_after_acceptance():
    enrolment = covered_member()
    staff = UserFactory(staff=True)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        member_request = submit_contribution_change(enrolment)
        mandate = member_request.bank_account_change.mandate
        assert mandate.status == M.TO_SIGN and mandate.reference.startswith("RUM-")
        assert mandate.creditor_ics == "FR72ZZZ123456"
        with pytest.raises(ValidationError):  # not signed yet
            member_request_accept(member_request=member_request, by=staff)
        evidence = sign(mandate)
        with evidence.document.open("rb") as stored:
            text = PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
        assert "Mandat de prélèvement SEPA" in text and mandate.reference in text
        mandate.refresh_from_db()
        assert (mandate.status, mandate.evidence, mandate.signed_on) == (
            M.SIGNED,
            evidence,
            dt.date(2026, 3, 2),
        )
        member_request_accept(member_request=member_request, by=staff)
    mandate.refresh_from_db()
    old = SepaMandate.objects.get(reference=enrolment.sepa_mandate_reference)
    assert (mandate.status, mandate.usable_from) == (M.ACTIVE, dt.date(2026, 3, 12))
    assert (old.status, old.revoked_from) == (M.REVOKED, dt.date(2026, 3, 12))
    mandates = list(enrolment.sepa_mandates.all())
    # The debit of 10/03 (8 days away) still uses the old account, the next one the new.
    assert mandate_in_force(mandates, dt.date(2026, 3, 10)) == old
    assert mandate_in_force(mandates, dt.date(2026, 4, 10)) == mandate
    account = BankAccount.objects.get(
        enrolment=enrolment, beneficiary=None, purpose=BankAccountPurpose.CONTRIBUTIONS
    )
    assert account.iban == NEW_IBAN
    labels = [e.label for e in member_request.events.all()]
    assert f"Mandat SEPA {mandate.reference} signé par code SMS" in labels
    assert "Nouveau mandat utilisé pour les prélèvements à partir du 12/03/2026" in labels


def test_withdrawn_or_refused_change_abandons_its_mandate():
    enrolment = covered_member()
    withdrawn = submit_contribution_change(enrolment)
    member_request_withdraw(member_request=withdrawn, by=enrolment.employee.user)
    refused = submit_contribution_change(enrolment)
    member_request_refuse(
        member_request=refused, by=UserFactory(staff=True), reason="RIB illisible"
    )
    statuses = set(SepaMandate.objects.exclude(status=M.ACTIVE).values_list("status", flat=True))
    assert statuses == {M.ABANDONED}
    with pytest.raises(NotSignable):  # a withdrawn request's mandate cannot be signed
        sign(withdrawn.bank_account_change.mandate)


def test_benefit_account_of_a_beneficiary_used_only_once_accepted():
    enrolment = covered_member()
    child = enrolment.beneficiaries.get(relationship="enfant")
    member_account = benefit_account_for(enrolment)
    assert benefit_account_for(child) == member_account
    member_request = benefit_account_change_submit(
        enrolment=enrolment,
        beneficiary=child,
        holder="Clémence Simon",
        iban=NEW_IBAN,
        bic=NEW_BIC,
        rib=pdf_upload("rib.pdf"),
        by=enrolment.employee.user,
    )
    assert benefit_account_for(child) == member_account
    member_request_accept(member_request=member_request, by=UserFactory(staff=True))
    member_request.refresh_from_db()
    assert member_request.status == S.ACCEPTED
    own = benefit_account_for(child)
    assert own != member_account and own.iban == NEW_IBAN and own.holder == "Clémence Simon"
    assert benefit_account_for(enrolment) == member_account


def test_benefit_account_of_someone_elses_beneficiary_refused():
    enrolment, other = covered_member(), covered_member()
    with pytest.raises(ValidationError) as refused:
        benefit_account_change_submit(
            enrolment=enrolment,
            beneficiary=other.beneficiaries.first(),
            holder="X",
            iban=NEW_IBAN,
            bic=NEW_BIC,
            rib=pdf_upload(),
            by=enrolment.employee.user,
        )
    assert "beneficiary" in refused.value.message_dict


def test_validation_creates_the_form_mandate_once():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    sign_form(enrolment)
    enrolment.refresh_from_db()
    assert not SepaMandate.objects.exists()
    enrolment_validate(enrolment=enrolment, by=UserFactory(staff=True))
    mandate = SepaMandate.objects.get()
    account = BankAccount.objects.get(
        enrolment=enrolment, beneficiary=None, purpose=BankAccountPurpose.CONTRIBUTIONS
    )
    assert (mandate.enrolment, mandate.reference, mandate.status) == (
        enrolment,
        enrolment.sepa_mandate_reference,
        M.ACTIVE,
    )
    assert (mandate.iban, mandate.holder) == (account.iban, account.holder)
    assert mandate.signed_on == timezone.localdate(enrolment.signed_at)
    assert mandate.usable_from == enrolment.effective_date
    assert initial_mandate(enrolment) == mandate and SepaMandate.objects.count() == 1


def test_migration_creates_the_mandates_of_enrolments_validated_before():
    validated = covered_member()
    SepaMandate.objects.all().delete()
    benefits_only = covered_member()
    SepaMandate.objects.filter(enrolment=benefits_only).delete()
    benefits_only.bank_accounts.filter(purpose=BankAccountPurpose.CONTRIBUTIONS).delete()
    in_progress = EnrolmentFactory(ready_to_sign=True, sepa_mandate_reference="RUM-EN-COURS")
    with_row = covered_member()
    migration = importlib.import_module("member_requests.migrations.0005_initial_mandates")
    migration.create_initial_mandates(django_apps, None)
    mandates = {m.enrolment_id: m for m in SepaMandate.objects.all()}
    assert set(mandates) == {validated.pk, benefits_only.pk, with_row.pk}
    assert mandates[validated.pk].reference == validated.sepa_mandate_reference
    contributions = validated.bank_accounts.get(purpose=BankAccountPurpose.CONTRIBUTIONS)
    assert mandates[validated.pk].iban == contributions.iban
    benefit = benefits_only.bank_accounts.get(purpose=BankAccountPurpose.BENEFITS)
    assert mandates[benefits_only.pk].iban == benefit.iban
    assert mandates[validated.pk].usable_from == validated.effective_date
    assert in_progress.pk not in mandates
