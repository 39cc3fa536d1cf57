"""Core domain: users, companies, contracts, insured groups, offers, correspondents'
access and the notification outbox."""

import html
import json
import re
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from .addresses import ADDRESS_FIELDS, address_lines
from .enums import (
    DEBIT_DAYS,
    ActCode,
    Channel,
    CoverageLevel,
    DebitFrequency,
    FeeSector,
    GuaranteeDomain,
    GuaranteeFormula,
    GuaranteePeriod,
    MessageStatus,
    ProductLine,
)
from .fields import EncryptedCharField
from .formatting import euros, percent
from .validators import compact_digits, validate_siret


class User(AbstractUser):
    """A person who logs in: correspondent, employee/member or back-office staff.

    ``username`` is the identifier (a correspondent may log in with it); ``email`` is
    unique and is the usual login.
    """

    email = models.EmailField("adresse e-mail", unique=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class AccountManager(models.Model):
    """Chargé d'affaires: the mutuelle's contact for a client company."""

    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    phone = PhoneNumberField("téléphone", region="FR")
    email = models.EmailField("e-mail")

    class Meta:
        verbose_name = "chargé d'affaires"
        verbose_name_plural = "chargés d'affaires"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PostalAddress(models.Model):
    """French postal address blocks (AFNOR NF Z10-011 lines)."""

    address_floor = models.CharField("escalier / étage / appartement", max_length=38, blank=True)
    address_building = models.CharField("bâtiment / résidence", max_length=38, blank=True)
    address_number = models.CharField("numéro", max_length=10, blank=True)
    address_street = models.CharField("libellé de la voie", max_length=38, blank=True)
    address_locality = models.CharField("lieu-dit / boîte postale", max_length=38, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("ville", max_length=60, blank=True)
    country = models.CharField("pays", max_length=60, blank=True, default="FRANCE")

    class Meta:
        abstract = True

    def address_lines(self) -> list[str]:
        return address_lines({name: getattr(self, name) for name in ADDRESS_FIELDS})


class Company(PostalAddress):
    legal_name = models.CharField("raison sociale", max_length=200)
    siret = models.CharField("n° de SIRET", max_length=14, unique=True, validators=[validate_siret])
    trade_name = models.CharField("enseigne", max_length=200, blank=True)
    phone = PhoneNumberField("téléphone", region="FR", blank=True)
    email = models.EmailField("e-mail", blank=True)
    account_manager = models.ForeignKey(
        AccountManager,
        verbose_name="chargé d'affaires",
        on_delete=models.PROTECT,
        related_name="companies",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "entreprise"
        verbose_name_plural = "entreprises"
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siret__regex=r"^[0-9]{14}$"), name="company_siret_14_digits"
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        self.siret = compact_digits(self.siret)

    def save(self, *args, **kwargs):
        # Invalid SIRETs never reach the database, whatever the entry point.
        self.siret = compact_digits(self.siret)
        validate_siret(self.siret)
        super().save(*args, **kwargs)


class CorrespondentAccess(models.Model):
    """One login (one e-mail) may manage several companies."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="correspondent_accesses",
        verbose_name="utilisateur",
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="correspondent_accesses",
        verbose_name="entreprise",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "accès correspondant"
        verbose_name_plural = "accès correspondants"
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="unique_correspondent_access")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.company}"


def default_debit_frequencies() -> list[str]:
    return [choice.value for choice in DebitFrequency]


def default_debit_days() -> list[int]:
    return list(DEBIT_DAYS)


def contract_notice_path(instance: "Contract", filename: str) -> str:
    return f"notices/{instance.number}.pdf"


class Contract(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="contracts", verbose_name="entreprise"
    )
    number = models.CharField("n° de contrat", max_length=30, unique=True)
    product_line = models.CharField("produit", max_length=20, choices=ProductLine.choices)
    start_date = models.DateField("date d'effet du contrat")
    dispensation_enabled = models.BooleanField("dispense en ligne activée", default=False)
    employee_debit = models.BooleanField(
        "une partie des cotisations est prélevée sur le compte du salarié",
        default=True,
        help_text="Options, surcomplémentaire ou bénéficiaires à la charge du salarié.",
    )
    beneficiaries_debited = models.BooleanField(
        "la cotisation des bénéficiaires est prélevée sur le compte du salarié", default=True
    )
    debit_frequencies = models.JSONField(
        "fréquences de prélèvement autorisées", default=default_debit_frequencies
    )
    debit_days = models.JSONField("jours de prélèvement autorisés", default=default_debit_days)
    child_age_limit = models.PositiveSmallIntegerField(
        "âge limite des enfants (exclu)",
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    student_child_age_limit = models.PositiveSmallIntegerField(
        "âge limite des enfants étudiants ou apprentis (exclu)",
        default=26,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    disabled_child_no_age_limit = models.BooleanField(
        "enfant en situation de handicap couvert sans limite d'âge",
        default=False,
        help_text=(
            "Si le contrat le prévoit (enfant titulaire de l'AAH ou d'une carte d'invalidité)."
        ),
    )

    # The notice d'information the employees receive when they are affiliated to a
    # prévoyance contract (art. L932-6 CSS): the insurer's own, uploaded in the back
    # office; without one, the portal generates it (enrolment.services.provident).
    information_notice = models.FileField(
        "notice d'information (PDF)",
        upload_to=contract_notice_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
    )

    class Meta:
        verbose_name = "contrat collectif"
        verbose_name_plural = "contrats collectifs"
        ordering = ["company", "product_line", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(student_child_age_limit__gte=models.F("child_age_limit")),
                name="contract_student_age_limit_gte_child",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_product_line_display()} n° {self.number}"

    def clean(self) -> None:
        super().clean()
        if self.is_provident and self.dispensation_enabled:
            raise ValidationError(
                {
                    "dispensation_enabled": "L'affiliation à un contrat de prévoyance est "
                    "obligatoire : aucune dispense d'adhésion ne s'y applique."
                }
            )

    @property
    def is_provident(self) -> bool:
        """Prévoyance: affiliation is compulsory, recorded by the employer's declaration
        (no invitation, wizard, signature or dispensation)."""
        return self.product_line == ProductLine.PROVIDENT


class InsuredGroup(models.Model):
    """Groupe d'assurés / collège (e.g. « Cadres », « Non-cadres»)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="groups", verbose_name="contrat"
    )
    name = models.CharField("nom", max_length=100)
    code = models.CharField("code", max_length=20, blank=True)

    class Meta:
        verbose_name = "groupe d'assurés"
        verbose_name_plural = "groupes d'assurés"
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="unique_group_name")
        ]

    def __str__(self) -> str:
        return self.name


def guarantee_table_path(instance: "Offer", filename: str) -> str:
    return f"garanties/{instance.contract.number}/{instance.level}.pdf"


class Offer(models.Model):
    """A coverage level open to an insured group, with the employee's monthly cost."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="offers", verbose_name="contrat"
    )
    group = models.ForeignKey(
        InsuredGroup,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name="groupe d'assurés",
    )
    level = models.CharField("niveau de garantie", max_length=20, choices=CoverageLevel.choices)
    guarantee_table = models.FileField(
        "tableau de garanties (PDF)", upload_to=guarantee_table_path, blank=True
    )
    member_monthly_cost = models.DecimalField(
        "cotisation mensuelle salarié (adhérent)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    spouse_monthly_cost = models.DecimalField(
        "cotisation mensuelle par conjoint",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    child_monthly_cost = models.DecimalField(
        "cotisation mensuelle par enfant",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    display_order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "offre (formule)"
        verbose_name_plural = "offres (formules)"
        ordering = ["contract", "group", "display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "group", "level"], name="unique_offer_level_per_group"
            ),
            models.CheckConstraint(
                condition=Q(member_monthly_cost__gte=0)
                & Q(spouse_monthly_cost__gte=0)
                & Q(child_monthly_cost__gte=0),
                name="offer_costs_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.group})"


SECRET_MARK = re.compile(r"\[secret:([a-z_]+)\]")
REDACTED = "[masqué]"


class OutboxMessage(models.Model):
    """Every e-mail and SMS, recorded once per intent (``key``) before it is sent.

    A message's secret parts (a link's token, a code) are not in its stored text: the
    text holds ``[secret:<name>]`` marks, and the values are kept apart, encrypted with
    the field keys, until the message is delivered (longer only while the development
    outbox is on). ``body_text`` / ``body_html`` give the text as delivered.
    """

    key = models.CharField("clé d'idempotence", max_length=200, unique=True)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    recipient = models.CharField("destinataire", max_length=254)
    subject = models.CharField("objet", max_length=250, blank=True)
    text_stored = models.TextField("texte (secrets masqués)", db_column="body_text")
    html_stored = models.TextField("HTML (secrets masqués)", blank=True, db_column="body_html")
    secrets = EncryptedCharField("parties secrètes (chiffrées)", blank=True, default="")
    status = models.CharField(
        "statut", max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    # When its delivery was last handed to the queue: the sweeper re-queues a message
    # still pending some minutes later (a queue that lost it, a worker that died).
    queued_at = models.DateTimeField("mis en file le", default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    # A stored PDF sent with the e-mail (the prévoyance notice d'information); the
    # file is shared by every message that sends it.
    attachment = models.FileField("pièce jointe", blank=True, max_length=255)

    class Meta:
        verbose_name = "message envoyé"
        verbose_name_plural = "messages envoyés (e-mails et SMS)"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at"], name="outbox_created_idx"),
            models.Index(fields=["status", "queued_at"], name="outbox_status_queued_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} : {self.subject}"

    def _reveal(self, stored: str, *, escape_values: bool = False) -> str:
        values = json.loads(self.secrets) if self.secrets else {}
        shown = html.escape if escape_values else str
        return SECRET_MARK.sub(lambda m: shown(values.get(m.group(1), REDACTED)), stored)

    @property
    def body_text(self) -> str:
        """The text as delivered; secrets already erased read « [masqué] »."""
        return self._reveal(self.text_stored)

    @body_text.setter
    def body_text(self, value: str) -> None:
        self.text_stored = value

    @property
    def body_html(self) -> str:
        return self._reveal(self.html_stored, escape_values=True)

    @body_html.setter
    def body_html(self, value: str) -> None:
        self.html_stored = value

    @property
    def text_redacted(self) -> str:
        """The text with its secrets masked, for the back office."""
        return SECRET_MARK.sub(REDACTED, self.text_stored)


class GuaranteeRow(models.Model):
    """One line of an offer's guarantee grid: what the mutuelle pays for one act code.

    The reimbursement engine (``benefits.rules``) reads these rows; the table shown to
    members and the PDF tableau de garanties are generated from them. Doctors' fees have
    an OPTAM row and a non-OPTAM row; other acts one row for any sector.
    """

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="guarantee_rows", verbose_name="offre"
    )
    domain = models.CharField("domaine", max_length=20, choices=GuaranteeDomain.choices)
    act_code = models.CharField("code acte", max_length=40, choices=ActCode.choices)
    label = models.CharField("libellé", max_length=150)
    formula = models.CharField("formule", max_length=20, choices=GuaranteeFormula.choices)
    rate = models.DecimalField(
        "taux (% BR, Sécurité sociale incluse)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount = models.DecimalField(
        "montant du forfait (€)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Par acte (forfait par acte) ou par période et bénéficiaire.",
    )
    fee_sector = models.CharField(
        "secteur", max_length=10, choices=FeeSector.choices, default=FeeSector.ANY
    )
    ceiling = models.DecimalField(
        "plafond par période et bénéficiaire (€)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    count_limit = models.PositiveSmallIntegerField(
        "nombre d'actes par période", null=True, blank=True
    )
    period = models.CharField(
        "période",
        max_length=20,
        choices=GuaranteePeriod.choices,
        default=GuaranteePeriod.CALENDAR_YEAR,
    )
    display_order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "ligne de garantie"
        verbose_name_plural = "lignes de garantie"
        ordering = ["offer_id", "display_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "act_code", "fee_sector"], name="unique_guarantee_row_sector"
            ),
            models.CheckConstraint(
                condition=~Q(formula=GuaranteeFormula.PERCENT_BR) | Q(rate__isnull=False),
                name="guarantee_row_percent_has_rate",
            ),
            models.CheckConstraint(
                condition=~Q(
                    formula__in=[GuaranteeFormula.FLAT_PER_ACT, GuaranteeFormula.FLAT_PER_PERIOD]
                )
                | Q(amount__isnull=False),
                name="guarantee_row_flat_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} : {self.value_label()}"

    def clean(self) -> None:
        errors = {}
        if self.formula == GuaranteeFormula.PERCENT_BR and self.rate is None:
            errors["rate"] = "Indiquez le taux de cette formule en % de la base de remboursement."
        flat = (GuaranteeFormula.FLAT_PER_ACT, GuaranteeFormula.FLAT_PER_PERIOD)
        if self.formula in flat and self.amount is None:
            errors["amount"] = "Indiquez le montant du forfait."
        if errors:
            raise ValidationError(errors)

    def value_label(self) -> str:
        """The value as a member reads it in the table (« 150 % BR », « 40,00 € par jour »)."""
        match self.formula:
            case GuaranteeFormula.PERCENT_BR:
                text = f"{percent(self.rate)} BR"
            case GuaranteeFormula.FLAT_PER_ACT:
                text = f"{euros(self.amount)} par acte"
            case GuaranteeFormula.FLAT_PER_PERIOD:
                text = f"{euros(self.amount)} {self.get_period_display()}"
            case GuaranteeFormula.REAL_COSTS:
                text = "Frais réels"
            case _:
                text = "100 % Santé : sans reste à charge"
        if self.count_limit:
            text += f", {self.count_limit} acte(s) {self.get_period_display()}"
        if self.ceiling is not None:
            text += f", plafond {euros(self.ceiling)} {self.get_period_display()}"
        return text


# Contrat responsable (art. R871-2 CSS): a non-OPTAM doctor's excess fees are covered at
# most 100 % BR above the Sécurité sociale base, and, when covered at all, at least 20
# points below the OPTAM row (100 % BR on both rows covers no excess fee: allowed).
BASE_RATE = Decimal("100")
NON_OPTAM_MAX_RATE = Decimal("200")
NON_OPTAM_MIN_GAP = Decimal("20")


def guarantee_grid_errors(rows) -> list[str]:
    """Contrat responsable errors of one offer's grid (rows not yet saved included)."""
    by_code: dict[str, dict[str, GuaranteeRow]] = {}
    for row in rows:
        by_code.setdefault(row.act_code, {})[row.fee_sector] = row
    errors = []
    for code, sectors in by_code.items():
        label = ActCode(code).label if code in ActCode.values else code
        non_optam = sectors.get(FeeSector.NON_OPTAM)
        optam = sectors.get(FeeSector.OPTAM)
        if non_optam is None or non_optam.formula != GuaranteeFormula.PERCENT_BR:
            continue
        if non_optam.rate > NON_OPTAM_MAX_RATE:
            errors.append(
                f"{label} : un médecin non adhérent OPTAM est pris en charge à "
                f"{percent(NON_OPTAM_MAX_RATE)} BR au plus (contrat responsable)."
            )
        if (
            optam is not None
            and non_optam.rate > BASE_RATE
            and optam.formula == GuaranteeFormula.PERCENT_BR
            and non_optam.rate > optam.rate - NON_OPTAM_MIN_GAP
        ):
            errors.append(
                f"{label} : le taux non-OPTAM doit être inférieur d'au moins 20 points "
                "au taux OPTAM (contrat responsable)."
            )
    return errors


class SensitiveDataAccess(models.Model):
    """One reading of a full NIR or IBAN in the back office: who, when, whose. Written
    by the explicit « Afficher en entier » action; readable by superusers only."""

    user = models.ForeignKey(
        "mutuelle.User",
        verbose_name="consulté par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("consulté le", auto_now_add=True)
    field = models.CharField("donnée", max_length=40)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name="type de fiche", on_delete=models.PROTECT
    )
    object_id = models.CharField("identifiant de la fiche", max_length=40)
    subject = models.CharField("personne concernée", max_length=250)

    class Meta:
        verbose_name = "consultation d'une donnée sensible"
        verbose_name_plural = "journal des consultations (NIR, IBAN)"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.field} de {self.subject} par {self.user} le {self.at:%d/%m/%Y %H:%M}"
