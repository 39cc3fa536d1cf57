"""Electronic signature of the membership form by SMS code.

A ``SignatureAttempt`` is one run of the signature pages for an enrolment: it records
that the form was viewed (and a fingerprint of what was shown), the two consent ticks,
and the one-time-code events. Each code sent is a ``SignatureChallenge`` bound to that
attempt, stored only as a keyed hash. A successful signature writes one immutable
``SignatureEvidence`` with the signed PDF files and their SHA-256.
"""

import hmac

from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from mutuelle.fields import keyed_hash

from ..enums import PhoneSource
from ..models import Enrolment


class ImmutableRecord(Exception):
    """Evidence of a signature is never modified once written."""


class SignatureAttempt(models.Model):
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        on_delete=models.CASCADE,
        related_name="signature_attempts",
        verbose_name="adhésion",
    )
    # What is signed: "" for the membership form, "<kind>:<id>" for a document a later
    # request brings (a new SEPA mandate: "mandat:42"), see signature.services.
    subject = models.CharField("document signé", max_length=40, blank=True, default="")
    started_at = models.DateTimeField("commencée le", auto_now_add=True)
    form_viewed_at = models.DateTimeField("bulletin consulté le", null=True, blank=True)
    # SHA-256 of the form's HTML when it was shown: signing refuses a form whose data
    # changed since (edited in another tab).
    form_fingerprint = models.CharField("empreinte du document présenté", max_length=64, blank=True)
    consents = models.JSONField("cases cochées", default=dict, blank=True)
    consents_at = models.DateTimeField("cases cochées le", null=True, blank=True)
    phone = PhoneNumberField("mobile", region="FR", blank=True)
    events = models.JSONField("événements", default=list, blank=True)
    completed_at = models.DateTimeField("signée le", null=True, blank=True)
    closed_at = models.DateTimeField("abandonnée le", null=True, blank=True)

    class Meta:
        verbose_name = "tentative de signature"
        verbose_name_plural = "tentatives de signature"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "subject"],
                condition=Q(completed_at__isnull=True, closed_at__isnull=True),
                name="one_open_signature_attempt_per_document",
            )
        ]

    def __str__(self) -> str:
        return f"Signature commencée le {self.started_at:%d/%m/%Y %H:%M}"


def hash_code(salt: str, code: str) -> str:
    return keyed_hash(f"signature-code:{salt}:{code}")


class SignatureChallenge(models.Model):
    """One 6-digit code sent by SMS: valid 10 minutes, single use, 5 wrong tries."""

    attempt = models.ForeignKey(
        SignatureAttempt,
        on_delete=models.CASCADE,
        related_name="challenges",
        verbose_name="tentative de signature",
    )
    phone = PhoneNumberField("mobile", region="FR")
    salt = models.CharField("sel", max_length=32)
    code_hash = models.CharField("empreinte du code", max_length=64)
    created_at = models.DateTimeField("envoyé le")
    expires_at = models.DateTimeField("expire le")
    failed_attempts = models.PositiveSmallIntegerField("essais erronés", default=0)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    replaced_at = models.DateTimeField("remplacé le", null=True, blank=True)
    is_resend = models.BooleanField("renvoi demandé par le salarié", default=False)

    class Meta:
        verbose_name = "code de signature"
        verbose_name_plural = "codes de signature"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["attempt", "-created_at"])]

    def __str__(self) -> str:
        return f"Code envoyé le {self.created_at:%d/%m/%Y %H:%M}"

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_code(self.salt, code))


def evidence_path(instance: "SignatureEvidence", filename: str) -> str:
    return f"signatures/{instance.enrolment_id}/{filename}"


class SignatureEvidence(models.Model):
    """Dossier de preuve: written once, in the transaction that signs the enrolment."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        on_delete=models.PROTECT,
        related_name="signature_evidences",
        verbose_name="adhésion",
    )
    attempt = models.OneToOneField(
        SignatureAttempt,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name="tentative de signature",
    )
    signer_name = models.CharField("signataire", max_length=210)
    email = models.EmailField("e-mail du signataire")
    phone = PhoneNumberField("mobile ayant reçu le code", region="FR")
    # Where that number came from and when a code sent to it was typed back (blank on
    # evidence written before the number was bound to the employee).
    phone_source = models.CharField(
        "origine du mobile", max_length=20, choices=PhoneSource.choices, blank=True
    )
    phone_confirmed_at = models.DateTimeField("mobile confirmé le", null=True, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.TextField("navigateur", blank=True)
    signed_at = models.DateTimeField("signé le")
    form_version = models.CharField("version du bulletin", max_length=30)
    consent_version = models.CharField("version des mentions", max_length=30)
    consents = models.JSONField("cases cochées (texte, version, horodatage)")
    events = models.JSONField("événements du code SMS (jamais le code)")
    document = models.FileField("bulletin signé (PDF)", upload_to=evidence_path)
    document_sha256 = models.CharField("SHA-256 du bulletin signé", max_length=64)
    dossier = models.FileField(
        "dossier signé (bulletin + page de signature)", upload_to=evidence_path
    )
    dossier_sha256 = models.CharField("SHA-256 du dossier", max_length=64)

    class Meta:
        verbose_name = "preuve de signature"
        verbose_name_plural = "preuves de signature"
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"Signature du {self.signed_at:%d/%m/%Y %H:%M} — {self.signer_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecord("Une preuve de signature ne peut pas être modifiée.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("Une preuve de signature ne peut pas être supprimée.")


class SignedEnrolment(Enrolment):
    """The back office's work list: signed enrolments waiting to be validated."""

    class Meta:
        proxy = True
        verbose_name = "adhésion signée à traiter"
        verbose_name_plural = "adhésions signées à traiter"
