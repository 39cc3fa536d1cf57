"""Core domain: users, companies, contracts, insured groups, offers, correspondents'
access and the notification outbox."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from .enums import DEBIT_DAYS, Channel, CoverageLevel, DebitFrequency, MessageStatus, ProductLine
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
        street = " ".join(p for p in (self.address_number, self.address_street) if p)
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        lines = [self.address_floor, self.address_building, street, self.address_locality, city]
        if self.country and self.country.upper() != "FRANCE":
            lines.append(self.country)
        return [line for line in lines if line]


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

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="correspondent_accesses")
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="correspondent_accesses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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


class Contract(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="contracts")
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


class InsuredGroup(models.Model):
    """Groupe d'assurés / collège (e.g. « Cadres », « Non-cadres»)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="groups")
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

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="offers")
    group = models.ForeignKey(InsuredGroup, on_delete=models.CASCADE, related_name="offers")
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

    def monthly_cost(self, *, spouses: int = 0, children: int = 0) -> Decimal:
        return (
            self.member_monthly_cost
            + self.spouse_monthly_cost * spouses
            + self.child_monthly_cost * children
        )


class OutboxMessage(models.Model):
    """Every e-mail and SMS, recorded once per intent (``key``) before it is sent."""

    key = models.CharField("clé d'idempotence", max_length=200, unique=True)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    recipient = models.CharField("destinataire", max_length=254)
    subject = models.CharField("objet", max_length=250, blank=True)
    body_text = models.TextField("texte")
    body_html = models.TextField("HTML", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "message envoyé"
        verbose_name_plural = "messages envoyés (e-mails et SMS)"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="outbox_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} : {self.subject}"
