"""What the member area keeps for a member: their documents (« Mes documents ») and
their tiers-payant cards. Files live in the private storage and are served by a view
that checks the owner."""

import uuid

from django.db import models
from django.db.models import Q

from .enums import MemberDocumentKind


def member_document_path(instance: "MemberDocument", filename: str) -> str:
    # A random name: the stored path never reveals the member nor the document.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"adherents/{instance.enrolment_id}/{uuid.uuid4().hex}.{extension}"


class MemberDocumentQuerySet(models.QuerySet):
    def of_member(self, user) -> "MemberDocumentQuerySet":
        """Only the documents of the user's own enrolments: correspondents and other
        members get nothing, whatever id they try."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrolment__employee__user=user)


class MemberDocument(models.Model):
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name="affiliation",
        on_delete=models.CASCADE,
        related_name="member_documents",
    )
    kind = models.CharField("type", max_length=20, choices=MemberDocumentKind.choices)
    title = models.CharField("titre", max_length=200)
    document_date = models.DateField("date du document")
    year = models.PositiveSmallIntegerField("année", editable=False)
    file = models.FileField("fichier", upload_to=member_document_path, max_length=200)
    filename = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField("type de contenu", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    # Intent key of the producer (« card:12 », « attestation:4:2026-11-30 »): adding the
    # same document twice returns the first one.
    key = models.CharField("clé d'idempotence", max_length=120, blank=True)
    created_at = models.DateTimeField("ajouté le", auto_now_add=True)

    objects = MemberDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document de l'adhérent"
        verbose_name_plural = "documents des adhérents"
        ordering = ["-document_date", "-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["enrolment", "-document_date", "-created_at"], name="member_doc_recent"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="unique_member_document_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.document_date:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        self.year = self.document_date.year
        super().save(*args, **kwargs)


class MemberCardQuerySet(models.QuerySet):
    def of_member(self, user) -> "MemberCardQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrolment__employee__user=user)

    def current(self) -> "MemberCardQuerySet":
        return self.filter(replaced_at__isnull=True)


class MemberCard(models.Model):
    """One issued tiers-payant card. The holders are a snapshot taken at issue (names,
    birth dates, twin ranks, NIR already masked): the screen, the PDF and the
    verification page show what the card says, and a change of beneficiaries issues a
    new card that replaces this one."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name="affiliation",
        on_delete=models.CASCADE,
        related_name="member_cards",
    )
    issued_at = models.DateTimeField("émise le", auto_now_add=True)
    valid_from = models.DateField("valable du")
    valid_until = models.DateField("valable jusqu'au")
    portability = models.BooleanField("carte de portabilité", default=False)
    holders = models.JSONField("bénéficiaires inscrits", default=list)
    document = models.OneToOneField(
        MemberDocument,
        verbose_name="PDF",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="card",
    )
    reason = models.CharField("motif d'émission", max_length=120, blank=True)
    replaced_at = models.DateTimeField("remplacée le", null=True, blank=True)

    objects = MemberCardQuerySet.as_manager()

    class Meta:
        verbose_name = "carte mutualiste"
        verbose_name_plural = "cartes mutualistes"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(replaced_at__isnull=True),
                name="one_current_card_per_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="card_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Carte du {self.valid_from:%d/%m/%Y} au {self.valid_until:%d/%m/%Y}"
