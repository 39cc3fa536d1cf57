"""The mutuelle's agencies and its partner health professionals, kept by the back
office and searched by members by postcode, town or département. No map: the address,
hours and phone are what a member needs, and the default set-up needs no internet."""

from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField

from mutuelle.addresses import postal_code_department, postal_text
from mutuelle.models import PostalAddress

from .enums import Specialty


class DirectoryQuerySet(models.QuerySet):
    def search(self, query: str) -> "DirectoryQuerySet":
        """Five digits: a postcode; two or three (or 2A/2B): a département; otherwise
        the town, compared without case, accents or hyphens."""
        text = postal_text(query)
        compact = text.replace(" ", "")
        if not compact:
            return self
        if compact.isdigit() and len(compact) == 5:
            return self.filter(postal_code=compact)
        if (compact.isdigit() and len(compact) in (2, 3)) or compact in {"2A", "2B"}:
            return self.filter(department=compact)
        return self.filter(Q(city_key__startswith=text) | Q(city_key__contains=f" {text}"))


class DirectoryEntry(PostalAddress):
    name = models.CharField("nom", max_length=150)
    phone = PhoneNumberField("téléphone", region="FR", blank=True)
    email = models.EmailField("e-mail", blank=True)
    opening_hours = models.TextField(
        "horaires d'ouverture", blank=True, help_text="Une ligne par jour ou par période."
    )
    department = models.CharField("département", max_length=3, editable=False, db_index=True)
    city_key = models.CharField("ville (recherche)", max_length=60, editable=False, db_index=True)
    is_active = models.BooleanField("affiché aux adhérents", default=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["postal_code", "name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.city}"

    def save(self, *args, **kwargs):
        self.department = postal_code_department(self.postal_code) or ""
        self.city_key = postal_text(self.city)
        super().save(*args, **kwargs)


class Agency(DirectoryEntry):
    class Meta(DirectoryEntry.Meta):
        verbose_name = "agence"
        verbose_name_plural = "agences"
        indexes = [models.Index(fields=["postal_code"], name="agency_postal_code")]


class PartnerProfessional(DirectoryEntry):
    specialty = models.CharField("spécialité", max_length=20, choices=Specialty.choices)
    network_benefits = models.CharField(
        "avantages pour les adhérents",
        max_length=250,
        blank=True,
        help_text="Par exemple : tiers payant, tarifs négociés, remise sur les verres.",
    )

    class Meta(DirectoryEntry.Meta):
        verbose_name = "professionnel de santé partenaire"
        verbose_name_plural = "professionnels de santé partenaires"
        indexes = [
            models.Index(fields=["postal_code"], name="partner_postal_code"),
            models.Index(fields=["specialty", "department"], name="partner_specialty_dept"),
        ]
