"""Electronic signature of the membership form with a one-time code sent by SMS.

The employee views the form (recorded with a fingerprint of what was shown), ticks the
two declarations, asks for a code and types it. The code only ever goes to the mobile
on record (``Employee.phone``: the employer's declaration, or a number confirmed by a
code on the profile step, at the signature step after the password, or in the member
area); the evidence records where that number came from and when it was confirmed.
The code is random (6 digits), stored only as a keyed hash, valid 10 minutes, single
use, bound to this signature attempt and locked after 5 wrong tries; at most 3
re-sends per 15 minutes.
A correct code signs, in one transaction: the signed PDF files are produced once and
stored, the evidence is written, the enrolment becomes « signé » (the request « En
cours » for the employer) and a confirmation e-mail is queued.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send
from mutuelle.pages import page_url
from mutuelle.pdf import render_pdf
from mutuelle.validators import is_french_mobile

from ..enums import EnrolmentStatus, PhoneSource
from ..models import Enrolment
from ..services import wizard
from ..templatetags.enrolment_format import phone_masked
from . import membership_form as mf
from .models import SignatureAttempt, SignatureChallenge, SignatureEvidence, hash_code
from .seal import dossier_seal

CODE_VALIDITY = dt.timedelta(minutes=10)
MAX_WRONG_TRIES = 5
RESEND_WINDOW = dt.timedelta(minutes=15)
MAX_RESENDS = 3
PARIS = ZoneInfo("Europe/Paris")


class SignatureError(Exception):
    """A signature step refused; ``message`` is shown to the employee as is."""

    message = "La signature n'a pas pu aboutir."

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)


class NotReadyToSign(SignatureError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("Votre adhésion n'est pas encore complète : " + " ; ".join(missing) + ".")


class NotSignable(SignatureError):
    message = "Cette adhésion ne peut plus être signée."


class FormNotViewed(SignatureError):
    message = "Veuillez d'abord consulter votre bulletin d'adhésion jusqu'au bout."


class ConsentsMissing(SignatureError):
    message = "Veuillez cocher les deux cases pour continuer."


class NotAMobile(SignatureError):
    message = "Saisissez un numéro de mobile français (06 ou 07)."


class NoPhoneOnRecord(SignatureError):
    message = (
        "Aucun numéro de mobile n'est enregistré pour vous : indiquez-en un, il sera "
        "confirmé par un code."
    )


class PhoneChanged(SignatureError):
    message = "Votre numéro de mobile a changé depuis l'envoi du code : demandez un nouveau code."


class TooManyCodes(SignatureError):
    def __init__(self, retry_at: dt.datetime):
        self.retry_at = retry_at
        local = timezone.localtime(retry_at, PARIS)
        super().__init__(
            f"Vous avez demandé trop de codes. Vous pourrez en demander un nouveau à "
            f"partir de {local:%H:%M}."
        )


class NoActiveCode(SignatureError):
    message = "Aucun code en cours de validité : demandez un nouveau code."


class CodeExpired(SignatureError):
    message = "Ce code a expiré (il est valable 10 minutes) : demandez un nouveau code."


class CodeLocked(SignatureError):
    message = "Trop d'essais erronés : ce code est bloqué, demandez un nouveau code."


class WrongCode(SignatureError):
    def __init__(self, remaining: int):
        self.remaining = remaining
        plural = "s" if remaining > 1 else ""
        super().__init__(f"Le code saisi est incorrect. Il vous reste {remaining} essai{plural}.")


class FormChanged(SignatureError):
    message = (
        "Vos informations ont été modifiées depuis la lecture du bulletin : relisez-le "
        "et cochez à nouveau les cases avant de signer."
    )


@dataclass(frozen=True)
class PhoneOnRecord:
    """The number a code goes to, where it came from and when it was confirmed."""

    number: str  # E.164
    source: str  # PhoneSource
    confirmed_at: dt.datetime | None

    @property
    def source_label(self) -> str:
        return PhoneSource(self.source).label


def e164(phone) -> str:
    number = (
        phone
        if isinstance(phone, phonenumbers.PhoneNumber)
        else phonenumbers.parse(str(phone), "FR")
    )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_on_record(employee) -> PhoneOnRecord | None:
    """The employee's mobile on record, or None (none, or not a French mobile)."""
    if not is_french_mobile(employee.phone):
        return None
    return PhoneOnRecord(
        number=e164(employee.phone),
        source=employee.phone_source,
        confirmed_at=employee.phone_confirmed_at,
    )


def _employee_phone(attempt: SignatureAttempt) -> PhoneOnRecord | None:
    return phone_on_record(attempt.enrolment.employee)


@dataclass(frozen=True)
class SignedDocument:
    """A document signed with the SMS code. The membership form is one; apps above
    register others (a new SEPA mandate) with :func:`register_signed_document`, and the
    same attempt, code, evidence and dossier machinery signs them.

    Hooks take the locked attempt: ``is_open`` (may it still be signed), ``body_html``
    (what is shown and fingerprinted), ``document_pdf(attempt, body)`` (the signed
    file) and ``on_signed(attempt, evidence, by, now)`` (the state change, in the
    signing transaction). ``phone_of`` gives the number the code goes to: the
    employee's mobile on record, except for the declaration that confirms a new
    number (``confirms_phone``), whose code goes to that new number.
    """

    kind: str
    title: str
    form_version: str
    consent_version: str
    consent_texts: dict[str, str]
    is_open: Callable[[SignatureAttempt], bool]
    body_html: Callable[[SignatureAttempt], str]
    document_pdf: Callable[[SignatureAttempt, str], bytes]
    on_signed: Callable[..., None]
    phone_of: Callable[[SignatureAttempt], PhoneOnRecord | None] = _employee_phone
    confirms_phone: bool = False


_SIGNED_DOCUMENTS: dict[str, SignedDocument] = {}


def register_signed_document(document: SignedDocument) -> None:
    _SIGNED_DOCUMENTS[document.kind] = document


def signed_dossier_url(enrolment: Enrolment) -> str:
    """The member-space page where the signed membership form is downloaded."""
    return page_url("member.signed_dossier", enrolment.pk)


def signed_document_of(attempt: SignatureAttempt) -> SignedDocument:
    return _SIGNED_DOCUMENTS[attempt.subject.partition(":")[0]]


def signature_attempt_for(*, enrolment: Enrolment, subject: str) -> SignatureAttempt:
    """The open attempt signing ``subject`` (« mandat:42 »), started if needed."""
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        attempt = SignatureAttempt.objects.filter(
            enrolment=locked, subject=subject, completed_at__isnull=True, closed_at__isnull=True
        ).first()
        if attempt is None:
            attempt = SignatureAttempt.objects.create(
                enrolment=locked, subject=subject, events=[_event("started", timezone.now())]
            )
        if not signed_document_of(attempt).is_open(attempt):
            raise NotSignable()
        return attempt


def _event(kind: str, at: dt.datetime, **data) -> dict:
    return {"type": kind, "at": at.isoformat(), **data}


def signature_missing_items(enrolment: Enrolment) -> list[str]:
    """What the wizard still has to collect (its own rule) before the form can be
    signed; the recap must have been validated too."""
    missing = [label for _step, label in wizard.wizard_missing(enrolment)]
    if not missing and wizard.step_index(enrolment.wizard_step) < wizard.step_index(
        wizard.SIGNATURE_STEP
    ):
        missing.append("la validation du récapitulatif")
    return missing


def signature_attempt_current(*, enrolment: Enrolment) -> SignatureAttempt:
    """The open attempt of this enrolment, started if needed (with the SEPA mandate
    reference, which the form must show before it is signed)."""
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status != EnrolmentStatus.IN_PROGRESS:
            raise NotSignable()
        fresh = mf.load_enrolment(enrolment.pk)
        missing = signature_missing_items(fresh)
        if missing:
            raise NotReadyToSign(missing)
        if mf.debit_of(fresh).applies:
            mf.ensure_mandate_reference(fresh)
        attempt = SignatureAttempt.objects.filter(
            enrolment=locked, subject="", completed_at__isnull=True, closed_at__isnull=True
        ).first()
        if attempt is None:
            attempt = SignatureAttempt.objects.create(
                enrolment=locked, events=[_event("started", timezone.now())]
            )
        return attempt


def _lock_open_attempt(attempt: SignatureAttempt) -> SignatureAttempt:
    locked = (
        SignatureAttempt.objects.select_for_update(of=("self",))
        .select_related("enrolment")
        .get(pk=attempt.pk)
    )
    if locked.completed_at or locked.closed_at or not signed_document_of(locked).is_open(locked):
        raise NotSignable()
    return locked


def signature_form_viewed(*, attempt: SignatureAttempt, fingerprint: str, how: str) -> None:
    """Record that the form was read (scrolled to the end, or opened as PDF)."""
    with transaction.atomic():
        attempt = _lock_open_attempt(attempt)
        now = timezone.now()
        if attempt.form_viewed_at and attempt.form_fingerprint == fingerprint:
            return
        attempt.form_viewed_at = now
        attempt.form_fingerprint = fingerprint
        attempt.events.append(_event("form_viewed", now, how=how, fingerprint=fingerprint))
        attempt.save(update_fields=["form_viewed_at", "form_fingerprint", "events"])


def signature_consents_give(
    *,
    attempt: SignatureAttempt,
    fingerprint: str,
    certify: bool = False,
    contract_document: bool = False,
    ticked: frozenset[str] = frozenset(),
) -> None:
    """Every declaration of the document ticked (the membership form's two, or the
    keys in ``ticked``), on the document that was viewed."""
    with transaction.atomic():
        attempt = _lock_open_attempt(attempt)
        if not attempt.form_viewed_at:
            raise FormNotViewed()
        if attempt.form_fingerprint != fingerprint:
            raise FormChanged()
        document = signed_document_of(attempt)
        ticked = set(ticked) | {
            key
            for key, on in (("certify", certify), ("contract_document", contract_document))
            if on
        }
        if not set(document.consent_texts) <= ticked:
            raise ConsentsMissing()
        now = timezone.now()
        attempt.consents = {
            key: {"text": text, "version": document.consent_version, "ticked_at": now.isoformat()}
            for key, text in document.consent_texts.items()
        }
        attempt.consents_at = now
        attempt.events.append(_event("consents_given", now, keys=sorted(document.consent_texts)))
        attempt.save(update_fields=["consents", "consents_at", "events"])


def signature_code_send(*, attempt: SignatureAttempt, resend: bool = False) -> SignatureChallenge:
    """Send a new 6-digit code by SMS to the number on record (``phone_of``); earlier
    codes of the attempt stop working."""
    with transaction.atomic():
        attempt = _lock_open_attempt(attempt)
        if not (attempt.form_viewed_at and attempt.consents_at):
            raise ConsentsMissing()
        record = signed_document_of(attempt).phone_of(attempt)
        if record is None:
            raise NoPhoneOnRecord()
        number = record.number
        now = timezone.now()
        # Every code after the first one within the window is a re-send, whatever the
        # attempt: the limit protects the employee's phone and our SMS budget.
        recent = list(
            SignatureChallenge.objects.filter(
                attempt__enrolment_id=attempt.enrolment_id, created_at__gt=now - RESEND_WINDOW
            )
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(recent) > MAX_RESENDS:
            raise TooManyCodes(recent[len(recent) - MAX_RESENDS - 1] + RESEND_WINDOW)
        attempt.challenges.filter(used_at__isnull=True, replaced_at__isnull=True).update(
            replaced_at=now
        )
        code = f"{secrets.randbelow(10**6):06d}"
        salt = secrets.token_hex(16)
        challenge = SignatureChallenge.objects.create(
            attempt=attempt,
            phone=number,
            salt=salt,
            code_hash=hash_code(salt, code),
            created_at=now,
            expires_at=now + CODE_VALIDITY,
            is_resend=resend,
        )
        attempt.phone = number
        attempt.events.append(
            _event(
                "otp_sent",
                now,
                challenge=challenge.pk,
                phone=phone_masked(number),
                phone_source=record.source,
                resend=resend,
                expires_at=challenge.expires_at.isoformat(),
            )
        )
        attempt.save(update_fields=["phone", "events"])
        notification_send(
            key=f"signature-code:{challenge.pk}",
            channel=Channel.SMS,
            to=number,
            template="signature_code",
            context={"code": code, "minutes": int(CODE_VALIDITY.total_seconds() // 60)},
        )
    return challenge


@dataclass
class SignatureContext:
    """Where the signature came from (recorded in the evidence)."""

    ip_address: str | None
    user_agent: str


def signature_code_verify(
    *, attempt: SignatureAttempt, code: str, by, origin: SignatureContext
) -> SignatureEvidence:
    """Check the code; a correct one signs the enrolment. Wrong tries are counted
    (committed) before the error is raised."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    error: SignatureError | None = None
    evidence = None
    with transaction.atomic():
        attempt = _lock_open_attempt(attempt)
        Enrolment.objects.select_for_update().get(pk=attempt.enrolment_id)
        document = signed_document_of(attempt)
        now = timezone.now()
        challenge = (
            attempt.challenges.select_for_update()
            .filter(used_at__isnull=True, replaced_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if challenge is None:
            raise NoActiveCode()
        if challenge.failed_attempts >= MAX_WRONG_TRIES:
            raise CodeLocked()
        if now >= challenge.expires_at:
            raise CodeExpired()
        record = document.phone_of(attempt)
        if record is None or e164(challenge.phone) != record.number:
            # The number on record changed since the code was sent: the code went to a
            # number that is no longer the employee's.
            challenge.replaced_at = now
            challenge.save(update_fields=["replaced_at"])
            error = PhoneChanged()
        elif len(code) != 6 or not challenge.matches(code):
            challenge.failed_attempts += 1
            challenge.save(update_fields=["failed_attempts"])
            remaining = MAX_WRONG_TRIES - challenge.failed_attempts
            attempt.events.append(
                _event("otp_failed", now, challenge=challenge.pk, remaining=remaining)
            )
            attempt.save(update_fields=["events"])
            error = CodeLocked() if remaining <= 0 else WrongCode(remaining)
        else:
            body = document.body_html(attempt)
            if mf.fingerprint(body) != attempt.form_fingerprint:
                attempt.form_viewed_at = None
                attempt.consents_at = None
                attempt.consents = {}
                attempt.events.append(_event("form_changed", now))
                attempt.save(update_fields=["form_viewed_at", "consents_at", "consents", "events"])
                error = FormChanged()
            else:
                challenge.used_at = now
                challenge.save(update_fields=["used_at"])
                attempt.events.append(_event("otp_verified", now, challenge=challenge.pk))
                evidence = _sign(
                    document=document,
                    attempt=attempt,
                    body=body,
                    by=by,
                    origin=origin,
                    now=now,
                    record=record,
                )
    if error is not None:
        raise error
    return evidence


def _sign(
    *,
    document: SignedDocument,
    attempt: SignatureAttempt,
    body: str,
    by,
    origin: SignatureContext,
    now: dt.datetime,
    record: PhoneOnRecord,
) -> SignatureEvidence:
    enrolment = mf.load_enrolment(attempt.enrolment_id)
    employee = enrolment.employee
    pdf = document.document_pdf(attempt, body)
    consents = [
        {
            "key": key,
            "text": value["text"],
            "version": value["version"],
            "ticked_at": value["ticked_at"],
        }
        for key, value in sorted(attempt.consents.items())
    ]
    evidence = SignatureEvidence(
        enrolment=enrolment,
        attempt=attempt,
        signer_name=employee.full_name,
        email=employee.contact_email,
        phone=attempt.phone,
        phone_source=record.source,
        # A declaration confirming a new number confirms it with this very code.
        phone_confirmed_at=now if document.confirms_phone else record.confirmed_at,
        ip_address=origin.ip_address or None,
        user_agent=(origin.user_agent or "")[:1000],
        signed_at=now,
        form_version=document.form_version,
        consent_version=document.consent_version,
        consents=consents,
        events=list(attempt.events),
        document_sha256=mf.sha256_hex(pdf),
    )
    dossier = render_pdf(
        "enrolment/membership_form/dossier.html",
        {
            "body": body,
            "title": document.title,
            "mutuelle": settings.MUTUELLE,
            "enrolment": enrolment,
            "evidence": evidence,
            "phone_origin": mf.phone_origin_text(evidence),
            "signed_at_local": timezone.localtime(now, PARIS),
            "consents": [
                {
                    "text": c["text"],
                    "at_local": timezone.localtime(
                        dt.datetime.fromisoformat(c["ticked_at"]), PARIS
                    ),
                }
                for c in consents
            ],
        },
    )
    dossier = dossier_seal(dossier)
    evidence.dossier_sha256 = mf.sha256_hex(dossier)
    stamp = timezone.localtime(now, PARIS).strftime("%Y%m%d-%H%M%S")
    prefix = f"signatures/{enrolment.pk}/{stamp}-{secrets.token_hex(4)}"
    name = document.kind or "bulletin"
    saved: list[str] = []
    try:
        evidence.document.name = default_storage.save(f"{prefix}-{name}.pdf", ContentFile(pdf))
        saved.append(evidence.document.name)
        evidence.dossier.name = default_storage.save(f"{prefix}-dossier.pdf", ContentFile(dossier))
        saved.append(evidence.dossier.name)
        evidence.save()
        attempt.completed_at = now
        attempt.save(update_fields=["completed_at", "events"])
        document.on_signed(attempt=attempt, evidence=evidence, by=by, now=now)
    except BaseException:
        # The files must not outlive a signature that did not happen.
        for name in saved:
            default_storage.delete(name)
        raise
    return evidence


def _membership_form_signed(*, attempt: SignatureAttempt, evidence: SignatureEvidence, by, now):
    enrolment = evidence.enrolment
    employee = enrolment.employee
    enrolment.sign(by=by, at=now)
    if evidence.email:
        notification_send(
            key=f"signature-confirmation:{evidence.pk}",
            channel=Channel.EMAIL,
            to=evidence.email,
            template="signature_confirmation",
            context={
                "employee": employee,
                "company": employee.company,
                "enrolment": enrolment,
                "signed_at": timezone.localtime(now, PARIS),
                "download_url": signed_dossier_url(enrolment),
            },
        )


register_signed_document(
    SignedDocument(
        kind="",
        title="le bulletin d'adhésion",
        form_version=mf.FORM_VERSION,
        consent_version=mf.CONSENT_VERSION,
        consent_texts=mf.CONSENT_TEXTS,
        is_open=lambda attempt: attempt.enrolment.status == EnrolmentStatus.IN_PROGRESS,
        body_html=lambda attempt: mf.form_body_html(mf.load_enrolment(attempt.enrolment_id)),
        document_pdf=lambda attempt, body: mf.membership_form_pdf(
            mf.load_enrolment(attempt.enrolment_id), body_html=body
        ),
        on_signed=_membership_form_signed,
    )
)


def latest_evidence(enrolment: Enrolment) -> SignatureEvidence | None:
    """The membership form's evidence (not a mobile declaration's nor a mandate's)."""
    return (
        enrolment.signature_evidences.filter(attempt__subject="")
        .order_by("-signed_at", "-id")
        .first()
    )
