"""Helpers to drive the signature services in tests."""

import io
import re

from pypdf import PdfReader

from enrolment.signature import membership_form as mf
from enrolment.signature.services import (
    SignatureContext,
    signature_attempt_current,
    signature_code_send,
    signature_consents_give,
    signature_form_viewed,
)
from mutuelle.models import OutboxMessage

ORIGIN = SignatureContext(ip_address="203.0.113.7", user_agent="Mozilla/5.0 (Test) Navigateur")


def last_sms_code() -> str:
    message = OutboxMessage.objects.filter(channel="sms").order_by("-id").first()
    return re.search(r"\b(\d{6})\b", message.body_text).group(1)


def prepare_attempt(enrolment):
    """Started, form viewed and both boxes ticked."""
    attempt = signature_attempt_current(enrolment=enrolment)
    fingerprint = mf.fingerprint(mf.form_body_html(mf.load_enrolment(enrolment.pk)))
    signature_form_viewed(attempt=attempt, fingerprint=fingerprint, how="scroll")
    signature_consents_give(
        attempt=attempt, certify=True, contract_document=True, fingerprint=fingerprint
    )
    attempt.refresh_from_db()
    return attempt


def send_code(attempt, resend=False) -> str:
    """Send the code to the employee's mobile on record and read it back."""
    signature_code_send(attempt=attempt, resend=resend)
    return last_sms_code()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, whitespace (no-break spaces included) collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


def sign(enrolment):
    """Sign through the real services (form viewed, boxes ticked, SMS code typed)."""
    from enrolment.signature.services import signature_code_verify

    attempt = prepare_attempt(enrolment)
    code = send_code(attempt)
    return signature_code_verify(
        attempt=attempt, code=code, by=enrolment.employee.user, origin=ORIGIN
    )
