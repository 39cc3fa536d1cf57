"""Member requests: one state machine for every request a member sends from their
space (beneficiaries, bank accounts, portability, free messages, and the benefits app's
reimbursement and estimate requests), with their history and documents.

A request's own data lives in a detail model one-to-one with ``MemberRequest`` (in the
app that owns the kind). Member requests never reach the employer: no correspondent
queryset includes them (``visible_to`` keeps them to the member and the back office).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from enrolment.enums import BankAccountPurpose
from enrolment.exceptions import InvalidTransition
from enrolment.models import Beneficiary, Enrolment
from enrolment.signature.models import SignatureEvidence
from mutuelle.fields import EncryptedCharField
from mutuelle.french import de
from mutuelle.validators import (
    mask_iban,
    normalize_iban,
    validate_bic,
    validate_bic_matches_iban,
    validate_iban,
)

from .enums import (
    UNDECIDED_STATES,
    BeneficiaryChangeAction,
    DocumentStage,
    MandateStatus,
    MemberRequestKind,
    MemberRequestStatus,
    PortabilityEndCause,
    RemovalReason,
)

S = MemberRequestStatus
# The one table of allowed member-request transitions.
MEMBER_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset(
        {S.IN_PROGRESS, S.AWAITING_COMPLEMENT, S.ACCEPTED, S.REFUSED, S.WITHDRAWN}
    ),
    S.IN_PROGRESS: frozenset({S.AWAITING_COMPLEMENT, S.ACCEPTED, S.REFUSED, S.WITHDRAWN}),
    S.AWAITING_COMPLEMENT: frozenset({S.IN_PROGRESS, S.REFUSED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset(),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


class MemberRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MemberRequestQuerySet":
        """The back office sees all; anyone else only the requests of their own
        enrolments. There is deliberately no correspondent branch: an employer never
        sees a member request, whatever company they manage."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(enrolment__employee__user=user)

    def undecided(self) -> "MemberRequestQuerySet":
        return self.filter(status__in=sorted(UNDECIDED_STATES))


class MemberRequest(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="adhésion",
        on_delete=models.PROTECT,
        related_name="member_requests",
    )
    kind = models.CharField("type de demande", max_length=30, choices=MemberRequestKind.choices)
    status = models.CharField(
        "statut", max_length=20, choices=MemberRequestStatus.choices, default=S.SUBMITTED
    )
    message = models.TextField("message de l'adhérent", blank=True)
    back_office_message = models.TextField("complément demandé", blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)
    # A random key the form carries: the same form posted twice (double click, reload)
    # finds the request it already created instead of sending a second one.
    submission_key = models.CharField("clé d'envoi", max_length=64, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = MemberRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'adhérent"
        verbose_name_plural = "demandes d'adhérents"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "status", "created_at"]),
            models.Index(fields=["enrolment", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~Q(submission_key=""),
                name="unique_member_request_submission_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.number}"

    @property
    def number(self) -> str:
        return f"D{self.pk:07d}" if self.pk else ""

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED_STATES

    # --- state machine -------------------------------------------------------------

    def can_transition(self, to_status: str) -> bool:
        return to_status in MEMBER_REQUEST_TRANSITIONS[self.status]

    def _move(
        self, to_status: str, *, by, label: str, note: str = "", fields: tuple[str, ...] = ()
    ) -> "MemberRequestEvent":
        if not self.can_transition(to_status):
            raise InvalidTransition(self, to_status)
        previous = self.status
        self.status = to_status
        self.save(update_fields=["status", "updated_at", *fields])
        return MemberRequestEvent.objects.create(
            request=self,
            actor=by,
            label=label,
            note=note,
            from_status=previous,
            to_status=to_status,
        )

    def record_submission(self, *, by, note: str = "") -> "MemberRequestEvent":
        """The first history row (no previous state)."""
        return MemberRequestEvent.objects.create(
            request=self,
            actor=by,
            at=self.created_at,
            label="Demande envoyée",
            note=note,
            to_status=self.status,
        )

    def take_up(self, *, by) -> "MemberRequestEvent":
        return self._move(S.IN_PROGRESS, by=by, label="Prise en charge par le centre de gestion")

    def ask_complement(self, *, by, message: str) -> "MemberRequestEvent":
        self.back_office_message = message
        return self._move(
            S.AWAITING_COMPLEMENT,
            by=by,
            label="Complément demandé",
            note=message,
            fields=("back_office_message",),
        )

    def complete(self, *, by, note: str = "") -> "MemberRequestEvent":
        return self._move(S.IN_PROGRESS, by=by, label="Demande complétée par l'adhérent", note=note)

    def accept(self, *, by, note: str = "") -> "MemberRequestEvent":
        self.decided_at = timezone.now()
        self.decided_by = by
        return self._move(
            S.ACCEPTED,
            by=by,
            label="Demande acceptée",
            note=note,
            fields=("decided_at", "decided_by"),
        )

    def refuse(self, *, by, reason: str) -> "MemberRequestEvent":
        self.decided_at = timezone.now()
        self.decided_by = by
        self.refusal_reason = reason
        return self._move(
            S.REFUSED,
            by=by,
            label="Demande refusée",
            note=reason,
            fields=("decided_at", "decided_by", "refusal_reason"),
        )

    def withdraw(self, *, by) -> "MemberRequestEvent":
        return self._move(S.WITHDRAWN, by=by, label="Demande retirée par l'adhérent")

    def record(self, *, by, label: str, note: str = "") -> "MemberRequestEvent":
        """A history row that does not change the state (a mandate signed, a file added)."""
        return MemberRequestEvent.objects.create(
            request=self,
            actor=by,
            label=label,
            note=note,
            from_status=self.status,
            to_status=self.status,
        )


class MemberRequestEvent(models.Model):
    """« Historique de la demande »: who did what, when."""

    request = models.ForeignKey(
        MemberRequest, verbose_name="demande", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("date", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField("événement", max_length=200)
    note = models.TextField("message", blank=True)
    from_status = models.CharField(
        "de", max_length=20, blank=True, choices=MemberRequestStatus.choices
    )
    to_status = models.CharField(
        "vers", max_length=20, blank=True, choices=MemberRequestStatus.choices
    )

    class Meta:
        verbose_name = "événement de demande d'adhérent"
        verbose_name_plural = "historique des demandes d'adhérents"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.label}"


def document_upload_to(instance, filename: str) -> str:
    # The service already gave the file a random name; keep it under one folder.
    return f"demandes/documents/{filename}"


class MemberRequestDocument(models.Model):
    request = models.ForeignKey(
        MemberRequest, verbose_name="demande", on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField("fichier", upload_to=document_upload_to, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    label = models.CharField("pièce", max_length=120, blank=True)
    stage = models.CharField(
        "envoyé pour", max_length=20, choices=DocumentStage.choices, default=DocumentStage.REQUEST
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyé par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "document de demande"
        verbose_name_plural = "documents de demande"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.label or self.original_name


class BankDetails(models.Model):
    """Holder, IBAN (encrypted) and BIC, checked before they are saved: an IBAN or a
    BIC that fails its check never reaches the database."""

    holder = models.CharField("titulaire du compte", max_length=70)
    iban = EncryptedCharField("IBAN")
    bic = models.CharField("BIC", max_length=11)

    class Meta:
        abstract = True

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    def save(self, *args, **kwargs):
        self.iban = normalize_iban(self.iban)
        self.bic = self.bic.replace(" ", "").upper()
        validate_iban(self.iban)
        validate_bic(self.bic)
        validate_bic_matches_iban(self.bic, self.iban)
        super().save(*args, **kwargs)


class SepaMandate(BankDetails):
    """A SEPA direct-debit mandate (RUM) of the member's contribution account. The
    enrolment's first mandate (signed with the membership form) gets its row when the
    enrolment is validated; later ones come from « Modification de RIB de cotisation »."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="adhésion", on_delete=models.PROTECT, related_name="sepa_mandates"
    )
    reference = models.CharField("référence unique de mandat (RUM)", max_length=35, unique=True)
    creditor_ics = models.CharField("identifiant créancier SEPA (ICS)", max_length=35)
    status = models.CharField(
        "statut", max_length=20, choices=MandateStatus.choices, default=MandateStatus.TO_SIGN
    )
    signed_on = models.DateField("date de signature", null=True, blank=True)
    evidence = models.OneToOneField(
        SignatureEvidence,
        verbose_name="preuve de signature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sepa_mandate",
    )
    # Debits due from this date use this mandate (the next debit at least 10 days after
    # it was validated); the previous mandate is revoked from the same date.
    usable_from = models.DateField("utilisable pour les prélèvements à partir du", null=True)
    revoked_from = models.DateField("révoqué à partir du", null=True, blank=True)
    # No debit presented yet: the next one is a first (FRST) debit, then recurring (RCUR).
    first_debit_sent_on = models.DateField("premier prélèvement présenté le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "mandat de prélèvement SEPA"
        verbose_name_plural = "mandats de prélèvement SEPA"
        ordering = ["enrolment", "-usable_from", "-id"]
        indexes = [models.Index(fields=["enrolment", "status", "usable_from"])]

    def __str__(self) -> str:
        return f"Mandat {self.reference} ({self.get_status_display()})"


class BankAccountChange(BankDetails):
    """The detail of a « Modification de RIB » request: the new account, and for the
    contribution account the new mandate to sign."""

    request = models.OneToOneField(
        MemberRequest,
        verbose_name="demande",
        on_delete=models.CASCADE,
        related_name="bank_account_change",
    )
    purpose = models.CharField("usage", max_length=20, choices=BankAccountPurpose.choices)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name="bénéficiaire payé sur ce compte",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : compte de l'adhérent.",
    )
    mandate = models.OneToOneField(
        SepaMandate,
        verbose_name="nouveau mandat",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change",
    )

    class Meta:
        verbose_name = "modification de RIB"
        verbose_name_plural = "modifications de RIB"

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.masked_iban}"


class PortabilityDeclaration(models.Model):
    """The detail of a portability request: the declaration with the France Travail
    notice, or, during the period, its end (new job, benefits stopped) at a date."""

    request = models.OneToOneField(
        MemberRequest,
        verbose_name="demande",
        on_delete=models.CASCADE,
        related_name="portability_declaration",
    )
    termination = models.ForeignKey(
        "enrolment.Termination",
        verbose_name="résiliation ouvrant la portabilité",
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_cause = models.CharField(
        "motif de fin", max_length=30, blank=True, choices=PortabilityEndCause.choices
    )
    end_date = models.DateField("à partir du", null=True, blank=True)

    class Meta:
        verbose_name = "déclaration de portabilité"
        verbose_name_plural = "déclarations de portabilité"

    def __str__(self) -> str:
        if self.end_cause:
            return f"{self.get_end_cause_display()} le {self.end_date:%d/%m/%Y}"
        return "Déclaration de portabilité"


class ContractMemberSettings(models.Model):
    """What a contract says about changes members make from their space."""

    contract = models.OneToOneField(
        "mutuelle.Contract",
        verbose_name="contrat",
        on_delete=models.CASCADE,
        related_name="member_settings",
    )
    birth_effective_at_birth = models.BooleanField(
        "un enfant déclaré dans les 3 mois est couvert dès sa naissance (ou son adoption)",
        default=True,
        help_text="Sinon, comme tout ajout, à partir du 1er du mois suivant la demande.",
    )
    birth_declaration_months = models.PositiveSmallIntegerField(
        "délai de déclaration d'une naissance ou adoption (mois)", default=3
    )

    class Meta:
        verbose_name = "règles des demandes d'adhérents d'un contrat"
        verbose_name_plural = "règles des demandes d'adhérents des contrats"

    def __str__(self) -> str:
        return f"Demandes d'adhérents du contrat {self.contract}"


class BeneficiaryChange(models.Model):
    """The detail of an « Adjonction » or a « Retrait » of beneficiary. An addition keeps
    the typed identity (NIR encrypted) until the back office accepts it: the beneficiary
    is then created through the wizard's own rules and save."""

    request = models.OneToOneField(
        MemberRequest,
        verbose_name="demande",
        on_delete=models.CASCADE,
        related_name="beneficiary_change",
    )
    action = models.CharField("opération", max_length=10, choices=BeneficiaryChangeAction.choices)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name="bénéficiaire",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField("identité déclarée", default=dict, blank=True)
    nir = EncryptedCharField("numéro de sécurité sociale déclaré", blank=True)
    effective_date = models.DateField("date d'effet")
    removal_reason = models.CharField(
        "motif du retrait", max_length=30, blank=True, choices=RemovalReason.choices
    )
    monthly_before = models.DecimalField(
        "cotisation mensuelle avant", max_digits=8, decimal_places=2
    )
    monthly_after = models.DecimalField(
        "cotisation mensuelle après", max_digits=8, decimal_places=2
    )

    class Meta:
        verbose_name = "changement de bénéficiaire"
        verbose_name_plural = "changements de bénéficiaires"

    def __str__(self) -> str:
        name = self.data.get("first_name") or (self.beneficiary and self.beneficiary.first_name)
        return f"{self.get_action_display()} {de(name)} au {self.effective_date:%d/%m/%Y}"


# --- back-office queues: one admin list per request type ------------------------------


class BeneficiaryRequest(MemberRequest):
    class Meta:
        proxy = True
        verbose_name = "demande de bénéficiaire (ajout, retrait)"
        verbose_name_plural = "file : bénéficiaires (ajout, retrait)"


class BankAccountRequest(MemberRequest):
    class Meta:
        proxy = True
        verbose_name = "demande de modification de RIB"
        verbose_name_plural = "file : RIB de cotisation et de prestation"


class PortabilityRequest(MemberRequest):
    class Meta:
        proxy = True
        verbose_name = "déclaration de portabilité"
        verbose_name_plural = "file : portabilité"


class OtherRequest(MemberRequest):
    class Meta:
        proxy = True
        verbose_name = "autre demande"
        verbose_name_plural = "file : autres demandes"
