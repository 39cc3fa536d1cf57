"""« Mes informations personnelles »: the member changes their postal address, mobile,
personal e-mail and communication preferences. Every change is written in the
member's history (``MemberChange``: who, when, before, after).

A new mobile replaces the old one only once a code sent by SMS to it is typed back
(here, on the wizard's profile step, or at the signature step after the password). It
goes through the signature's SMS-code machinery (``enrolment.signature``): the member
signs a one-line declaration (« ce numéro est le mien ») with the code, so the same
limits apply (10 minutes, 5 wrong tries, 3 re-sends per 15 minutes) and the change
keeps its evidence like any signed document.
"""

from allauth.account.signals import password_changed, password_reset
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import render_to_string

from mutuelle.pdf import render_pdf

from ..enums import PhoneSource
from ..models import Employee, Enrolment, MemberChange
from ..signature import membership_form as mf
from ..signature import services as signature
from ..signature.models import SignatureAttempt
from ..templatetags.enrolment_format import phone_fr
from .activation import email_confirmation_send

PHONE_FORM_VERSION = "telephone-2026-11"
PHONE_CONSENT = {
    "own_phone": "Je certifie que ce numéro de mobile est le mien et qu'il remplace celui "
    "que la mutuelle connaît pour me joindre et pour signer mes documents."
}
ADDRESS_FIELDS = (
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
    "country",
)
PREFERENCE_LABELS = {
    "paperless_mail": "E-courriers",
    "reimbursement_alerts": "Alerte e-mail à chaque nouveau remboursement",
}


def member_address_change(*, employee: Employee, by, **address) -> bool:
    """Save the postal address; returns False (and writes nothing) when unchanged."""
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValueError(f"not address fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Employee.objects.select_for_update().get(pk=employee.pk)
        before = "\n".join(locked.address_lines())
        for field, value in address.items():
            setattr(locked, field, (value or "").strip())
        after = "\n".join(locked.address_lines())
        if before == after:
            return False
        locked.save(update_fields=[*address, "updated_at"])
        MemberChange.objects.create(
            employee=locked,
            actor=by,
            label="Adresse postale modifiée",
            old_value=before,
            new_value=after,
        )
    for field in address:
        setattr(employee, field, getattr(locked, field))
    return True


def member_preferences_change(*, employee: Employee, by, **preferences: bool) -> list[str]:
    """Save the communication preferences; returns the labels of those changed."""
    changed = []
    with transaction.atomic():
        locked = Employee.objects.select_for_update().get(pk=employee.pk)
        for field, value in preferences.items():
            label = PREFERENCE_LABELS[field]
            if getattr(locked, field) == value:
                continue
            setattr(locked, field, value)
            changed.append(field)
            MemberChange.objects.create(
                employee=locked,
                actor=by,
                label=f"{label} : {'activé' if value else 'désactivé'}",
                old_value="non" if value else "oui",
                new_value="oui" if value else "non",
            )
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
    for field in changed:
        setattr(employee, field, preferences[field])
    return [PREFERENCE_LABELS[f] for f in changed]


def member_email_change_request(*, employee: Employee, by, email: str):
    """Send the confirmation link (7 days, once) to the new address; it becomes the
    login only when the link is used (``activation.email_confirm`` records it)."""
    with transaction.atomic():
        link = email_confirmation_send(user=employee.user, email=email.strip().lower())
        MemberChange.objects.create(
            employee=employee,
            actor=by,
            label="Nouvelle adresse e-mail personnelle envoyée pour confirmation",
            new_value=link.email,
        )
    return link


# ---- Mobile phone, confirmed by an SMS code --------------------------------------------

# One signed document per place a new mobile is given: the evidence and the member's
# history say where (``PhoneSource``), and each place keeps its own open attempts.
PHONE_KINDS = {
    PhoneSource.MEMBER_AREA: "telephone",
    PhoneSource.PROFILE: "telephone-profil",
    PhoneSource.SIGNATURE: "telephone-signature",
}
PHONE_CHANGE_LABELS = {
    PhoneSource.MEMBER_AREA: "Mobile modifié (confirmé par code SMS)",
    PhoneSource.PROFILE: "Mobile saisi à l'étape « Mon profil » (confirmé par code SMS)",
    PhoneSource.SIGNATURE: "Mobile modifié à la signature (mot de passe et code SMS)",
}


class WrongPassword(signature.SignatureError):
    message = "Le mot de passe saisi est incorrect."


def _new_phone_of(attempt: SignatureAttempt) -> str:
    return attempt.subject.partition(":")[2]


def phone_change_number(attempt: SignatureAttempt) -> str:
    """The new number (E.164) a mobile change attempt confirms."""
    return _new_phone_of(attempt)


def _phone_body_html(attempt: SignatureAttempt) -> str:
    enrolment = mf.load_enrolment(attempt.enrolment_id)
    return render_to_string(
        "enrolment/phone_change/body.html",
        {
            "mutuelle": settings.MUTUELLE,
            "employee": enrolment.employee,
            "enrolment": enrolment,
            "old_phone": phone_fr(enrolment.employee.phone),
            "new_phone": phone_fr(_new_phone_of(attempt)),
            "declaration": PHONE_CONSENT["own_phone"],
        },
    )


def _phone_pdf(attempt: SignatureAttempt, body: str) -> bytes:
    return render_pdf(
        "enrolment/phone_change/document.html", {"body": body, "mutuelle": settings.MUTUELLE}
    )


def _phone_document(source: str) -> signature.SignedDocument:
    def new_number(attempt: SignatureAttempt) -> signature.PhoneOnRecord:
        return signature.PhoneOnRecord(
            number=_new_phone_of(attempt), source=source, confirmed_at=None
        )

    def confirmed(*, attempt: SignatureAttempt, evidence, by, now) -> None:
        employee = Employee.objects.select_for_update(of=("self",)).get(
            enrolments__pk=attempt.enrolment_id
        )
        old = phone_fr(employee.phone)
        employee.phone = _new_phone_of(attempt)
        employee.phone_source = source
        employee.phone_confirmed_at = now
        employee.save(update_fields=["phone", "phone_source", "phone_confirmed_at", "updated_at"])
        MemberChange.objects.create(
            employee=employee,
            actor=by,
            label=PHONE_CHANGE_LABELS[source],
            old_value=old,
            new_value=phone_fr(employee.phone),
        )

    return signature.SignedDocument(
        kind=PHONE_KINDS[source],
        title="la déclaration de changement de numéro de mobile",
        form_version=PHONE_FORM_VERSION,
        consent_version=PHONE_FORM_VERSION,
        consent_texts=PHONE_CONSENT,
        is_open=lambda attempt: True,
        body_html=_phone_body_html,
        document_pdf=_phone_pdf,
        on_signed=confirmed,
        phone_of=new_number,
        confirms_phone=True,
    )


for _source in PHONE_KINDS:
    signature.register_signed_document(_phone_document(_source))


def phone_change_start(
    *, enrolment: Enrolment, phone, source: str = PhoneSource.MEMBER_AREA
) -> SignatureAttempt:
    """Send a code by SMS to the new mobile (the declaration shown on the page is
    recorded as read and ticked by the member's submission). The number replaces the
    one on record only once the code is typed back (``phone_change_confirm``). Raises
    ``signature.SignatureError`` (not a mobile, too many codes)."""
    if not signature.is_french_mobile(phone):
        raise signature.NotAMobile()
    attempt = signature.signature_attempt_for(
        enrolment=enrolment, subject=f"{PHONE_KINDS[source]}:{signature.e164(phone)}"
    )
    shown = mf.fingerprint(_phone_body_html(attempt))
    signature.signature_form_viewed(attempt=attempt, fingerprint=shown, how="page")
    signature.signature_consents_give(
        attempt=attempt, fingerprint=shown, ticked=frozenset(PHONE_CONSENT)
    )
    signature.signature_code_send(attempt=attempt)
    return attempt


def signature_phone_change_start(*, enrolment: Enrolment, user, password: str, phone):
    """At the signature step a new mobile needs the account password again (whoever
    sits at an open session cannot divert the signature code), then a code typed back."""
    if not user.check_password(password or ""):
        raise WrongPassword()
    return phone_change_start(enrolment=enrolment, phone=phone, source=PhoneSource.SIGNATURE)


def phone_change_confirm(*, attempt: SignatureAttempt, code: str, by, origin) -> None:
    """The code typed back: the new mobile replaces the old one."""
    signature.signature_code_verify(attempt=attempt, code=code, by=by, origin=origin)


def phone_change_attempts(user, *, source: str = PhoneSource.MEMBER_AREA):
    """The member's own open mobile changes made from ``source`` (tenant scope for the
    code pages)."""
    return SignatureAttempt.objects.filter(
        enrolment__employee__user=user,
        subject__startswith=f"{PHONE_KINDS[source]}:",
        completed_at__isnull=True,
        closed_at__isnull=True,
    )


@receiver(password_changed)
@receiver(password_reset)
def _password_history(sender, request, user, **kwargs):
    """A password changed in « Mes paramètres » or reset by e-mail is in the history."""
    MemberChange.objects.bulk_create(
        MemberChange(employee=employee, actor=user, label="Mot de passe modifié")
        for employee in user.employee_records.all()
    )
