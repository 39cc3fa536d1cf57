import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.models import SignatureChallenge, SignatureEvidence
from enrolment.signature import membership_form as mf
from enrolment.signature.models import ImmutableRecord
from enrolment.signature.services import (
    CodeExpired,
    CodeLocked,
    ConsentsMissing,
    FormChanged,
    FormNotViewed,
    NoActiveCode,
    NoPhoneOnRecord,
    NotReadyToSign,
    NotSignable,
    TooManyCodes,
    WrongCode,
    signature_attempt_current,
    signature_code_send,
    signature_code_verify,
    signature_consents_give,
)
from mutuelle.models import OutboxMessage

from .factories import EnrolmentFactory
from .signing import ORIGIN, pdf_text, prepare_attempt, send_code

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _verify(attempt, code, enrolment):
    return signature_code_verify(
        attempt=attempt, code=code, by=enrolment.employee.user, origin=ORIGIN
    )


def test_happy_path_signs_once_with_evidence(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        code = send_code(attempt)
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == "+33612345678" and sms.status == "sent"
    challenge = SignatureChallenge.objects.get()
    assert code not in challenge.code_hash and len(challenge.code_hash) == 64

    with django_capture_on_commit_callbacks(execute=True):
        evidence = _verify(attempt, code, enrolment)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SIGNED and enrolment.signed_at
    request = enrolment.requests.get()
    assert request.status == RequestStatus.PROCESSING  # « En cours » for the employer
    assert request.events.filter(label__contains="signé électroniquement").exists()
    # Files stored, hashes match what is on disk.
    with default_storage.open(evidence.document.name) as f:
        document = f.read()
    with default_storage.open(evidence.dossier.name) as f:
        dossier = f.read()
    assert hashlib.sha256(document).hexdigest() == evidence.document_sha256
    assert hashlib.sha256(dossier).hexdigest() == evidence.dossier_sha256
    text = pdf_text(dossier)
    assert "Page de signature électronique" in text
    assert evidence.document_sha256 in text.replace(" ", "")
    assert "06 •• •• •• 78" in text
    assert "203.0.113.7" in text and "Mozilla/5.0 (Test) Navigateur" in text
    assert "(heure de Paris)" in text
    paris = timezone.localtime(evidence.signed_at)
    assert f"{paris:%d/%m/%Y} à {paris:%H:%M}" in text
    # Evidence content.
    assert evidence.email == enrolment.employee.user.email
    assert str(evidence.phone) == "+33612345678"
    assert evidence.form_version == mf.FORM_VERSION
    assert evidence.consent_version == mf.CONSENT_VERSION
    assert {c["key"] for c in evidence.consents} == {"certify", "contract_document"}
    assert all(c["ticked_at"] for c in evidence.consents)
    kinds = [e["type"] for e in evidence.events]
    assert kinds[:4] == ["started", "form_viewed", "consents_given", "otp_sent"]
    assert "otp_verified" in kinds
    assert code not in str(evidence.events)
    # Confirmation e-mail.
    confirmation = OutboxMessage.objects.get(channel="email")
    assert confirmation.recipient == evidence.email
    assert "signé" in confirmation.subject
    # Immutable and single use.
    with pytest.raises(ImmutableRecord):
        evidence.save()
    with pytest.raises(ImmutableRecord):
        evidence.delete()
    with pytest.raises(NotSignable):
        _verify(attempt, code, enrolment)
    assert SignatureEvidence.objects.count() == 1


def test_consents_need_the_form_viewed():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = signature_attempt_current(enrolment=enrolment)
    with pytest.raises(FormNotViewed):
        signature_consents_give(
            attempt=attempt, certify=True, contract_document=True, fingerprint="x"
        )


def test_both_boxes_are_required():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    with pytest.raises(ConsentsMissing):
        signature_consents_give(
            attempt=attempt,
            certify=True,
            contract_document=False,
            fingerprint=attempt.form_fingerprint,
        )


def test_no_code_before_consents():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = signature_attempt_current(enrolment=enrolment)
    with pytest.raises(ConsentsMissing):
        signature_code_send(attempt=attempt)
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("phone", ["", "01 45 00 00 00", "+44 7911 123456", "08 00 00 00 00"])
def test_no_code_without_a_french_mobile_on_record(phone):
    enrolment = EnrolmentFactory(ready_to_sign=True, employee__phone=phone)
    attempt = prepare_attempt(enrolment)
    with pytest.raises(NoPhoneOnRecord):
        signature_code_send(attempt=attempt)
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_not_ready_lists_missing_items():
    enrolment = EnrolmentFactory(ready_to_sign=True, offer=None)
    with pytest.raises(NotReadyToSign) as exc:
        signature_attempt_current(enrolment=enrolment)
    assert "le choix de votre garantie" in exc.value.missing


def test_code_valid_ten_minutes():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        code = send_code(attempt)
    with (
        time_machine.travel(start + dt.timedelta(minutes=10), tick=False),
        pytest.raises(CodeExpired),
    ):
        _verify(attempt, code, enrolment)
    with time_machine.travel(start + dt.timedelta(minutes=9, seconds=59), tick=False):
        _verify(attempt, code, enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SIGNED


def test_five_wrong_tries_lock_the_code_until_a_new_one():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    code = send_code(attempt)
    for remaining in (4, 3, 2, 1):
        with pytest.raises(WrongCode) as exc:
            _verify(attempt, _wrong(code), enrolment)
        assert exc.value.remaining == remaining
    with pytest.raises(CodeLocked):
        _verify(attempt, _wrong(code), enrolment)
    # The wrong tries were committed, and even the right code is refused now.
    assert SignatureChallenge.objects.get().failed_attempts == 5
    with pytest.raises(CodeLocked):
        _verify(attempt, code, enrolment)
    new_code = send_code(attempt, resend=True)
    _verify(attempt, new_code, enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SIGNED


def test_new_code_replaces_the_previous_one():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    first = send_code(attempt)
    second = send_code(attempt, resend=True)
    if first != second:
        with pytest.raises(WrongCode):
            _verify(attempt, first, enrolment)
    _verify(attempt, second, enrolment)


def test_at_most_three_resends_per_fifteen_minutes():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send_code(attempt)
        for _ in range(3):
            send_code(attempt, resend=True)
        with pytest.raises(TooManyCodes) as exc:
            send_code(attempt, resend=True)
    assert exc.value.retry_at == start + dt.timedelta(minutes=15)
    assert "Vous pourrez en demander un nouveau" in exc.value.message
    assert OutboxMessage.objects.filter(channel="sms").count() == 4
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        code = send_code(attempt, resend=True)
        _verify(attempt, code, enrolment)


def test_no_code_sent_yet():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    with pytest.raises(NoActiveCode):
        _verify(attempt, "123456", enrolment)


def test_data_changed_after_reading_requires_a_new_reading():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    code = send_code(attempt)
    enrolment.employee.city = "LYON"
    enrolment.employee.save()
    with pytest.raises(FormChanged):
        _verify(attempt, code, enrolment)
    attempt.refresh_from_db()
    assert attempt.consents_at is None and attempt.form_viewed_at is None
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_PROGRESS


def test_signed_enrolment_cannot_start_again():
    enrolment = EnrolmentFactory(ready_to_sign=True)
    attempt = prepare_attempt(enrolment)
    _verify(attempt, send_code(attempt), enrolment)
    with pytest.raises(NotSignable):
        signature_attempt_current(enrolment=enrolment)
