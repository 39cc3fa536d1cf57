"""Contribution instalments (échéancier), direct-debit batches (pain.008), returned
debits and card payments of arrears."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from enrolment.models import Enrolment
from member_requests.models import SepaMandate
from mutuelle.formatting import euros

from .enums import BatchStatus, InstalmentStatus, PaymentStatus, SequenceType


def end_to_end_id(instalment_pk: int) -> str:
    """The reference of an instalment's debit, which the bank sends back with a return."""
    return f"ECH-{instalment_pk}"


def batch_upload_to(instance, filename: str) -> str:
    return f"prelevements/{filename}"


class DebitBatch(models.Model):
    """One pain.008 file: every instalment due on one collection date."""

    collection_date = models.DateField("date de prélèvement")
    status = models.CharField(
        "statut", max_length=10, choices=BatchStatus.choices, default=BatchStatus.READY
    )
    message_id = models.CharField("identifiant du message", max_length=35, unique=True)
    file = models.FileField("fichier pain.008", upload_to=batch_upload_to, max_length=200)
    count = models.PositiveIntegerField("nombre de prélèvements")
    total = models.DecimalField("montant total", max_digits=12, decimal_places=2)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "lot de prélèvements"
        verbose_name_plural = "lots de prélèvements"
        ordering = ["-collection_date", "-id"]

    def __str__(self) -> str:
        return f"Prélèvements du {self.collection_date:%d/%m/%Y} ({self.count})"


class InstalmentQuerySet(models.QuerySet):
    def of_member(self, user) -> "InstalmentQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrolment__employee__user=user)


class Instalment(models.Model):
    """One échéance: the member's share of the contribution for a period."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="adhésion", on_delete=models.PROTECT, related_name="instalments"
    )
    due_date = models.DateField("date d'échéance")
    period_start = models.DateField("période du")
    period_end = models.DateField("période au")
    amount = models.DecimalField("montant", max_digits=10, decimal_places=2)
    status = models.CharField(
        "statut",
        max_length=15,
        choices=InstalmentStatus.choices,
        default=InstalmentStatus.SCHEDULED,
    )
    batch = models.ForeignKey(
        DebitBatch,
        verbose_name="lot de prélèvements",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instalments",
    )
    mandate = models.ForeignKey(
        SepaMandate,
        verbose_name="mandat utilisé",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instalments",
    )
    sequence_type = models.CharField(
        "séquence", max_length=4, choices=SequenceType.choices, blank=True
    )
    return_reason = models.CharField("motif de rejet", max_length=4, blank=True)
    returned_at = models.DateTimeField("rejeté le", null=True, blank=True)
    settled_at = models.DateTimeField("réglée le", null=True, blank=True)

    objects = InstalmentQuerySet.as_manager()

    class Meta:
        verbose_name = "échéance de cotisation"
        verbose_name_plural = "échéances de cotisation"
        ordering = ["enrolment", "due_date"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "due_date"], name="one_instalment_per_due_date"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Échéance du {self.due_date:%d/%m/%Y} — {euros(self.amount)}"

    @property
    def end_to_end_id(self) -> str:
        return end_to_end_id(self.pk)


class CardPayment(models.Model):
    """« Régulariser »: the arrears paid by card through the payment backend."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="adhésion", on_delete=models.PROTECT, related_name="card_payments"
    )
    reference = models.CharField("référence", max_length=40, unique=True)
    provider_id = models.CharField("identifiant chez le prestataire", max_length=80, blank=True)
    backend = models.CharField("prestataire", max_length=30)
    amount = models.DecimalField("montant", max_digits=10, decimal_places=2)
    instalments = models.ManyToManyField(
        Instalment, verbose_name="échéances réglées", related_name="card_payments"
    )
    status = models.CharField(
        "statut", max_length=15, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    paid_at = models.DateTimeField("payé le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="initié par",
    )

    class Meta:
        verbose_name = "paiement par carte"
        verbose_name_plural = "paiements par carte"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Paiement {self.reference} ({self.get_status_display()})"
