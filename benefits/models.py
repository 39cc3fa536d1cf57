"""Reimbursements: Sécurité sociale settlement imports, the computed lines, the
professionals paid in tiers payant, payment batches, statements and the access log.

Everything here is health data: no queryset of this app is ever reachable from the
employer space (tested invariant), and back-office readings are logged.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from enrolment.models import Beneficiary, Enrolment, MemberDocument
from member_requests.models import MemberRequest
from mutuelle.enums import ActCode, FeeSector
from mutuelle.fields import EncryptedCharField
from mutuelle.models import GuaranteeRow
from mutuelle.validators import validate_bic, validate_iban

from .enums import BatchStatus, CareKind, ImportStatus, LineSource, StatementKind
from .rules import explain

MONEY = {"max_digits": 11, "decimal_places": 2}


def import_upload_path(instance: "SettlementImport", filename: str) -> str:
    return f"prestations/imports/{instance.token}/{filename}"


class SettlementImport(models.Model):
    """One Sécurité sociale settlement file, imported all or nothing."""

    token = models.UUIDField("jeton de suivi", default=uuid.uuid4, unique=True, editable=False)
    source_file = models.FileField("fichier importé", upload_to=import_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    status = models.CharField(
        "statut", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    refusal_reason = models.TextField("motif du refus", blank=True)
    total_rows = models.PositiveIntegerField("lignes", default=0)
    processed_rows = models.PositiveIntegerField("lignes traitées", default=0)
    imported_count = models.PositiveIntegerField("lignes importées", default=0)
    rejected_count = models.PositiveIntegerField("lignes rejetées", default=0)
    known_count = models.PositiveIntegerField("lignes déjà connues", default=0)
    mutuelle_total = models.DecimalField("remboursement mutuelle", default=0, **MONEY)
    rejection_file = models.FileField(
        "fichier de rejet", upload_to="prestations/imports/rejets/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de décomptes Sécurité sociale"
        verbose_name_plural = "imports de décomptes Sécurité sociale"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.REFUSED) else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class Professional(models.Model):
    """A health professional paid directly in tiers payant (matched by the name the
    Sécurité sociale file gives in ``professionnel``)."""

    name = models.CharField("nom", max_length=150, unique=True)
    iban = EncryptedCharField("IBAN", blank=True, validators=[validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validate_bic])
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "professionnel de santé"
        verbose_name_plural = "professionnels de santé (tiers payant)"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PaymentBatch(models.Model):
    """One day's SEPA credit transfer file (pain.001) of the mutuelle's shares."""

    execution_date = models.DateField("date d'exécution", unique=True)
    status = models.CharField(
        "statut", max_length=10, choices=BatchStatus.choices, default=BatchStatus.GENERATED
    )
    message_id = models.CharField("identifiant du message", max_length=35, unique=True)
    file = models.FileField("fichier pain.001", upload_to="prestations/virements/", blank=True)
    transfer_count = models.PositiveIntegerField("virements", default=0)
    line_count = models.PositiveIntegerField("lignes de remboursement", default=0)
    total = models.DecimalField("montant total", default=0, **MONEY)
    held_count = models.PositiveIntegerField(
        "lignes en attente de coordonnées bancaires valides", default=0
    )
    created_at = models.DateTimeField("généré le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="envoyé par",
    )

    class Meta:
        verbose_name = "lot de virements"
        verbose_name_plural = "lots de virements (remboursements)"
        ordering = ["-execution_date"]

    def __str__(self) -> str:
        return f"Virements du {self.execution_date:%d/%m/%Y}"


class ReimbursementLineQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReimbursementLineQuerySet":
        """Health data: the member sees their own lines, the back office all; a
        correspondent never sees any, whatever companies they manage."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(enrolment__employee__user=user)


class ReimbursementLine(models.Model):
    """One line of care and the mutuelle's share, as computed by ``benefits.rules``."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="adhésion",
        on_delete=models.PROTECT,
        related_name="reimbursement_lines",
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name="bénéficiaire (vide : l'adhérent)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reimbursement_lines",
    )
    reference = models.CharField("référence", max_length=60, unique=True)
    source = models.CharField("origine", max_length=10, choices=LineSource.choices)
    settlement_import = models.ForeignKey(
        SettlementImport,
        verbose_name="import",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )
    care_date = models.DateField("date des soins")
    act_code = models.CharField("acte", max_length=40, choices=ActCode.choices)
    fee_sector = models.CharField("secteur", max_length=10, choices=FeeSector.choices, blank=True)
    quantity = models.PositiveSmallIntegerField("quantité", default=1)
    actual_cost = models.DecimalField("frais réels", validators=[MinValueValidator(0)], **MONEY)
    ss_base = models.DecimalField("base de remboursement", default=0, **MONEY)
    ss_rate = models.PositiveSmallIntegerField("taux Sécurité sociale (%)", default=0)
    ss_paid = models.DecimalField("remboursement Sécurité sociale", default=0, **MONEY)
    ss_deductible = models.DecimalField(
        "participation forfaitaire et franchises", default=0, **MONEY
    )
    mutuelle_share = models.DecimalField("remboursement mutuelle", **MONEY)
    out_of_pocket = models.DecimalField("reste à charge", **MONEY)
    counted_quantity = models.PositiveSmallIntegerField("actes décomptés", default=0)
    guarantee_row = models.ForeignKey(
        GuaranteeRow,
        verbose_name="ligne de garantie",
        on_delete=models.PROTECT,
        related_name="reimbursement_lines",
    )
    computation = models.JSONField("détail du calcul", default=dict)
    third_party_payment = models.BooleanField("tiers payant", default=False)
    professional_name = models.CharField("professionnel de santé", max_length=150, blank=True)
    professional = models.ForeignKey(
        Professional,
        verbose_name="professionnel payé",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )
    payment_batch = models.ForeignKey(
        PaymentBatch,
        verbose_name="lot de virements",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lines",
    )
    paid_on = models.DateField("payé le", null=True, blank=True)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = ReimbursementLineQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne de remboursement"
        verbose_name_plural = "lignes de remboursement"
        ordering = ["-care_date", "-id"]
        indexes = [
            models.Index(fields=["enrolment", "-care_date"], name="line_enrolment_date_idx"),
            models.Index(
                fields=["enrolment", "beneficiary", "act_code", "care_date"],
                name="line_usage_idx",
            ),
            models.Index(fields=["payment_batch", "mutuelle_share"], name="line_payment_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mutuelle_share__gte=0) & Q(out_of_pocket__gte=0),
                name="line_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ss_paid__lte=models.F("actual_cost")), name="line_ro_within_fr"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_act_code_display()} du {self.care_date:%d/%m/%Y}"

    @property
    def computation_steps(self) -> list[str]:
        return explain(self.computation) if self.computation else []

    @property
    def beneficiary_name(self) -> str:
        person = self.beneficiary or self.enrolment.employee
        return f"{person.first_name} {person.last_name}"


def statement_upload_path(instance: "Statement", filename: str) -> str:
    return f"prestations/releves/{instance.enrolment_id}/{uuid.uuid4().hex}.pdf"


class Statement(models.Model):
    """A relevé de prestations produced for a member (monthly or on demand)."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="adhésion", on_delete=models.CASCADE, related_name="statements"
    )
    kind = models.CharField("type", max_length=10, choices=StatementKind.choices)
    period_start = models.DateField("du")
    period_end = models.DateField("au")
    beneficiary_ids = models.JSONField("bénéficiaires retenus (vide : tous)", default=list)
    line_count = models.PositiveIntegerField("lignes", default=0)
    document = models.OneToOneField(
        MemberDocument,
        verbose_name="document (Mes documents)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement",
    )
    created_at = models.DateTimeField("produit le", auto_now_add=True)

    class Meta:
        verbose_name = "relevé de prestations"
        verbose_name_plural = "relevés de prestations"
        ordering = ["-period_start", "-id"]
        constraints = [
            # The monthly job runs again without producing a second statement.
            models.UniqueConstraint(
                fields=["enrolment", "period_start"],
                condition=Q(kind="mensuel"),
                name="one_monthly_statement_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"Relevé du {self.period_start:%d/%m/%Y} au {self.period_end:%d/%m/%Y}"


class HealthDataAccess(models.Model):
    """Who of the back office read a member's reimbursements, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name="adhésion", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("date", auto_now_add=True)
    what = models.CharField("page consultée", max_length=200)

    class Meta:
        verbose_name = "accès aux données de santé"
        verbose_name_plural = "journal des accès aux données de santé"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.enrolment} — {self.at:%d/%m/%Y %H:%M}"


class ReimbursementRequest(models.Model):
    """« Demander un remboursement »: care the Sécurité sociale did not transmit. The
    member gives what they know; the back office completes the settlement data (or
    marks the care « hors nomenclature ») and accepts: the engine computes the line."""

    member_request = models.OneToOneField(
        MemberRequest,
        verbose_name="demande",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reimbursement_request",
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name="bénéficiaire (vide : l'adhérent)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    care_date = models.DateField("date des soins")
    care_kind = models.CharField("nature des soins", max_length=20, choices=CareKind.choices)
    amount_paid = models.DecimalField("montant payé", validators=[MinValueValidator(0)], **MONEY)
    professional_name = models.CharField("professionnel de santé", max_length=150, blank=True)
    # Completed by the back office before acceptance.
    act_code = models.CharField(
        "code acte retenu", max_length=40, choices=ActCode.choices, blank=True
    )
    fee_sector = models.CharField("secteur", max_length=10, choices=FeeSector.choices, blank=True)
    quantity = models.PositiveSmallIntegerField("quantité", default=1)
    out_of_nomenclature = models.BooleanField(
        "hors nomenclature (aucune prise en charge de la Sécurité sociale)", default=False
    )
    ss_base = models.DecimalField("base de remboursement", default=0, **MONEY)
    ss_rate = models.PositiveSmallIntegerField("taux Sécurité sociale (%)", default=0)
    ss_paid = models.DecimalField("remboursement Sécurité sociale", default=0, **MONEY)
    ss_deductible = models.DecimalField(
        "participation forfaitaire et franchises", default=0, **MONEY
    )
    line = models.OneToOneField(
        ReimbursementLine,
        verbose_name="ligne de remboursement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_request_detail",
    )

    class Meta:
        verbose_name = "demande de remboursement"
        verbose_name_plural = "demandes de remboursement (détail)"

    def __str__(self) -> str:
        return f"Remboursement du {self.care_date:%d/%m/%Y}"


class EstimateRequest(models.Model):
    """A quote (devis) sent for an answer from the back office, with the instant estimate
    the member saw. The answer comes back as a PDF."""

    member_request = models.OneToOneField(
        MemberRequest,
        verbose_name="demande",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="estimate_request",
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name="bénéficiaire (vide : l'adhérent)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    act_code = models.CharField("acte", max_length=40, choices=ActCode.choices)
    fee_sector = models.CharField("secteur", max_length=10, choices=FeeSector.choices, blank=True)
    price = models.DecimalField("prix du devis", validators=[MinValueValidator(0)], **MONEY)
    ss_base = models.DecimalField("base de remboursement", default=0, **MONEY)
    ss_rate = models.PositiveSmallIntegerField("taux Sécurité sociale (%)", default=0)
    estimate = models.JSONField("estimation immédiate", default=dict)
    answer = models.TextField("réponse du centre de gestion", blank=True)
    answer_document = models.OneToOneField(
        MemberDocument,
        verbose_name="réponse (PDF)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "demande d'estimation sur devis"
        verbose_name_plural = "demandes d'estimation sur devis (détail)"

    def __str__(self) -> str:
        return f"Devis {self.get_act_code_display()}"


class BenefitRequest(MemberRequest):
    """Back-office queue of reimbursement and estimate requests."""

    class Meta:
        proxy = True
        verbose_name = "demande de remboursement ou d'estimation"
        verbose_name_plural = "file : remboursements et estimations"
