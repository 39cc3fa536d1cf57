"""Employees, their enrolments (with the lifecycle state machine), beneficiaries, bank
accounts, single-use links, terminations and the request timeline."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from mutuelle.addresses import postal_text
from mutuelle.enums import DebitFrequency
from mutuelle.fields import EncryptedCharField, keyed_hash
from mutuelle.models import Company, Contract, InsuredGroup, Offer, PostalAddress
from mutuelle.validators import (
    mask_iban,
    mask_nir,
    normalize_iban,
    normalize_nir,
    validate_bic,
    validate_bic_matches_iban,
    validate_iban,
    validate_nir,
)

from .enums import (
    EMPLOYEE_STATUS_OF_ENROLMENT,
    MEMBER_STATUS_LABELS,
    OPEN_STATES,
    REMINDABLE_STATES,
    REQUEST_STATUS_OF_ENROLMENT,
    WAITING_FOR_EMPLOYEE,
    BankAccountPurpose,
    Civility,
    EnrolmentStatus,
    FamilyStatus,
    LinkKind,
    PhoneSource,
    PostalLetterKind,
    Relationship,
    RequestStatus,
    RequestType,
    SpouseKind,
    TerminationReason,
    TerminationStatus,
    UnemploymentEligibility,
)
from .exceptions import InvalidTransition

S = EnrolmentStatus
# Numéro d'adhérent = offset + primary key (unique and stable): the one formula, both ways.
MEMBER_NUMBER_OFFSET = 22_000_000


def member_number_of(enrolment_pk: int, imported: str = "") -> str:
    """The member number: the one imported from the mutuelle's records, else derived
    from the enrolment's key."""
    return imported or f"{MEMBER_NUMBER_OFFSET + enrolment_pk}"


def enrolment_pk_of(member_number: str) -> int | None:
    """The enrolment a typed member number designates, or None if it cannot be one."""
    number = (member_number or "").strip()
    if number.isdigit() and int(number) > MEMBER_NUMBER_OFFSET:
        return int(number) - MEMBER_NUMBER_OFFSET
    return None


# The state of an enrolment not written yet: the employer's declaration creates it
# pre-affiliated, through the same step as every later transition.
NEW = ""


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    label: str  # the history row's default label


# The one table of enrolment transitions (DESIGN §4): each has a name, the states it may
# start from and the state it leads to; ``Enrolment`` has one method per name.
ENROLMENT_TRANSITIONS: dict[str, Transition] = {
    "declare": Transition(frozenset({NEW}), S.PRE_AFFILIATED, "Pré-affiliation déclarée"),
    # Prévoyance: affiliation is compulsory, so the employer's declaration is the
    # affiliation (no invitation, signature or dispensation, nothing for the back
    # office to check: see enrolment.services.provident).
    "affiliate": Transition(
        frozenset({NEW}), S.ACTIVE, "Affiliation enregistrée au contrat de prévoyance"
    ),
    "invite": Transition(
        frozenset({S.PRE_AFFILIATED, S.EXPIRED}), S.INVITED, "Invitation envoyée au salarié"
    ),
    "start": Transition(frozenset({S.INVITED}), S.IN_PROGRESS, "Adhésion commencée"),
    "request_dispensation": Transition(
        WAITING_FOR_EMPLOYEE - {S.PRE_AFFILIATED},
        S.DISPENSATION_REQUESTED,
        "Dispense demandée par le salarié",
    ),
    "withdraw_dispensation": Transition(
        frozenset({S.DISPENSATION_REQUESTED}), S.IN_PROGRESS, "Dispense retirée : adhésion en cours"
    ),
    "refuse_dispensation": Transition(
        frozenset({S.DISPENSATION_REQUESTED}),
        S.INVITED,
        "Dispense refusée : nouvelle invitation à adhérer",
    ),
    # From ACTIVE: a member whose situation changed (D911-2 1° and 3° CSS).
    "dispense": Transition(
        frozenset({S.DISPENSATION_REQUESTED, S.ACTIVE}),
        S.DISPENSED,
        "Dispense validée : adhésion clôturée",
    ),
    "end_dispensation": Transition(
        frozenset({S.DISPENSED}), S.INVITED, "Fin de la dispense : nouvelle invitation"
    ),
    "sign": Transition(
        frozenset({S.IN_PROGRESS}),
        S.SIGNED,
        "Bulletin d'adhésion signé électroniquement par le salarié",
    ),
    "validate": Transition(frozenset({S.SIGNED}), S.ACTIVE, "Adhésion validée et mise en gestion"),
    "return_to_employee": Transition(
        frozenset({S.SIGNED}), S.IN_PROGRESS, "Dossier renvoyé au salarié pour correction"
    ),
    "start_portability": Transition(frozenset({S.ACTIVE}), S.PORTABILITY, "Portabilité"),
    "terminate": Transition(
        frozenset({S.ACTIVE, S.PORTABILITY}), S.TERMINATED, "Fin de la couverture"
    ),
    "expire": Transition(
        frozenset({S.INVITED, S.IN_PROGRESS}), S.EXPIRED, "Lien d'adhésion expiré"
    ),
    "cancel": Transition(
        WAITING_FOR_EMPLOYEE, S.CANCELLED, "Pré-affiliation annulée par l'entreprise"
    ),
}


class EnrolmentStep(NamedTuple):
    """What one enrolment transition writes: the enrolment's status, its affiliation
    request's status, and the history event (label, from, to)."""

    from_status: str
    to_status: str
    request_status: str
    label: str


def enrolment_step(from_status: str, to_status: str, *, label: str = "") -> EnrolmentStep:
    """The step from ``from_status`` to ``to_status`` if the table allows it.

    The named transitions of :class:`Enrolment` write it for one enrolment; the pre-affiliation
    writes the declaration step (:data:`NEW` → pré-affilié) for thousands at once."""
    for transition in ENROLMENT_TRANSITIONS.values():
        if from_status in transition.sources and transition.target == to_status:
            return EnrolmentStep(
                str(from_status),
                str(to_status),
                str(REQUEST_STATUS_OF_ENROLMENT[to_status]),
                label or transition.label,
            )
    raise InvalidTransition(None, to_status, from_status=from_status)


class NirMixin(models.Model):
    """An encrypted NIR plus its keyed hash (duplicates are found without decrypting)."""

    nir = EncryptedCharField("numéro de sécurité sociale", blank=True)
    nir_hash = models.CharField(
        "empreinte du NIR", max_length=64, blank=True, db_index=True, editable=False
    )

    class Meta:
        abstract = True

    def _prepare_nir(self) -> None:
        if self.nir:
            self.nir = normalize_nir(self.nir)
            validate_nir(self.nir)
            self.nir_hash = keyed_hash(self.nir)
        else:
            self.nir_hash = ""

    @property
    def masked_nir(self) -> str:
        return mask_nir(self.nir) if self.nir else ""


def name_key(last_name: str, first_name: str) -> str:
    """The sort and search key of a person's name (« LEFEVRE THEO » for Lefèvre Théo)."""
    # The same as postal_text(f"{last_name} {first_name}"): the space separates anyway.
    # First names repeat across a file import: theirs are cached.
    words = (postal_text(last_name), _first_name_key(first_name))
    return " ".join(word for word in words if word)[:210]


@lru_cache(maxsize=4096)
def _first_name_key(first_name: str) -> str:
    return postal_text(first_name)


class EmployeeQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk inserts skip save(): the name key is set here the same way."""
        objs = list(objs)
        for employee in objs:
            employee.name_key = name_key(employee.last_name, employee.first_name)
        return super().bulk_create(objs, *args, **kwargs)


class Employee(NirMixin, PostalAddress):
    # No index of its own: the (company, name_key) index below starts with it (one index
    # less to write per employee of a file import).
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name="entreprise",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee_records",
        verbose_name="compte utilisateur",
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_date = models.DateField("date de naissance")
    insurance_fund_code = models.CharField("organisme de rattachement", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = PhoneNumberField("téléphone", region="FR", blank=True)
    # The signature code is only ever sent to this number: who gave it (empty when the
    # employer declared none), and when a code sent to it was typed back (never for the
    # employer's own declaration).
    phone_source = models.CharField(
        "origine du mobile",
        max_length=20,
        choices=PhoneSource.choices,
        default=PhoneSource.EMPLOYER,
        blank=True,
    )
    phone_confirmed_at = models.DateTimeField("mobile confirmé par code le", null=True, blank=True)
    payroll_id = models.CharField("matricule", max_length=30, blank=True)
    family_status = models.CharField(
        "situation familiale", max_length=20, choices=FamilyStatus.choices, blank=True
    )
    hire_date = models.DateField("date d'embauche")
    alsace_moselle = models.BooleanField("régime local Alsace-Moselle", default=False)
    teletransmission = models.BooleanField("télétransmission", default=True)
    commercial_consent = models.BooleanField("accepte les offres commerciales", default=False)
    # Communication preferences of the member area (« Mes informations personnelles »).
    paperless_mail = models.BooleanField(
        "e-courriers",
        default=True,
        help_text="Relevés et courriers consultés en ligne plutôt que reçus par la poste.",
    )
    reimbursement_alerts = models.BooleanField(
        "alerte e-mail à chaque nouveau remboursement", default=True
    )
    # « NOM PRENOM » without accents, case or punctuation: the lists sort on it and the
    # searches match it, the same way on SQLite and PostgreSQL (names stay as typed).
    name_key = models.CharField(
        "clé de tri et de recherche du nom", max_length=210, editable=False, default=""
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = "salarié"
        verbose_name_plural = "salariés"
        ordering = ["name_key"]
        indexes = [models.Index(fields=["company", "name_key"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "nir_hash"],
                condition=~Q(nir_hash=""),
                name="unique_employee_nir_per_company",
            ),
            models.CheckConstraint(
                condition=Q(hire_date__gt=models.F("birth_date")),
                name="employee_hired_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def contact_email(self) -> str:
        """The address the employee chose for their account, else the one declared."""
        return (self.user.email if self.user_id else "") or self.email

    def save(self, *args, **kwargs):
        self._prepare_nir()
        self.name_key = name_key(self.last_name, self.first_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class MemberChange(models.Model):
    """The member's history of their own data (address, phone, e-mail, preferences,
    password): who changed what, and when. Written by the profile services."""

    employee = models.ForeignKey(
        Employee, verbose_name="salarié", on_delete=models.CASCADE, related_name="changes"
    )
    at = models.DateTimeField("date", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField("modification", max_length=200)
    old_value = models.TextField("ancienne valeur", blank=True)
    new_value = models.TextField("nouvelle valeur", blank=True)

    class Meta:
        verbose_name = "modification des informations de l'adhérent"
        verbose_name_plural = "historique des informations des adhérents"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} {self.label}"


class EnrolmentQuerySet(models.QuerySet):
    def with_member_number(self, number: str) -> "EnrolmentQuerySet":
        """The enrolment known by this member number: one brought from the mutuelle's
        records keeps its own, the others derive it from their key."""
        number = number.strip()
        if not number:
            return self.none()
        derived = Q(pk__in=[])
        if (pk := enrolment_pk_of(number)) is not None:
            derived = Q(pk=pk, imported_member_number="")
        return self.filter(Q(imported_member_number=number) | derived)


class Enrolment(models.Model):
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="enrolments", verbose_name="salarié"
    )
    # Indexed by the (contract, status, employee) index below, which starts with it.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name="contrat",
        db_index=False,
    )
    group = models.ForeignKey(
        InsuredGroup,
        verbose_name="groupe d'assurés",
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name="garantie choisie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    status = models.CharField(
        "statut", max_length=30, choices=EnrolmentStatus.choices, default=S.PRE_AFFILIATED
    )
    effective_date = models.DateField("date d'effet du contrat")
    invited_at = models.DateTimeField("invité le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    signed_at = models.DateTimeField("signé le", null=True, blank=True)
    activated_at = models.DateTimeField("mis en gestion le", null=True, blank=True)
    ended_at = models.DateTimeField("clos le", null=True, blank=True)
    end_date = models.DateField("date de fin de couverture", null=True, blank=True)
    debit_frequency = models.CharField(
        "fréquence de prélèvement", max_length=20, choices=DebitFrequency.choices, blank=True
    )
    debit_day = models.PositiveSmallIntegerField("jour de prélèvement", null=True, blank=True)
    sepa_mandate_reference = models.CharField(
        "référence unique de mandat", max_length=35, blank=True
    )
    wizard_step = models.CharField("dernière étape atteinte", max_length=30, blank=True)
    # Members enrolled outside the portal (paper, DSN, before the portal) keep the
    # number the mutuelle gave them; it is below the portal's own range.
    imported_member_number = models.CharField("n° d'adhérent d'origine", max_length=20, blank=True)
    # Highest automatic reminder day already sent (0: none); the periodic job only
    # picks enrolments whose next reminder is due, so a run stays cheap.
    last_auto_reminder_day = models.PositiveSmallIntegerField(
        "dernière relance automatique (jour)", default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "affiliation"
        verbose_name_plural = "affiliations"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "invited_at"]),
            # The company's counters and « Mes collaborateurs » count from this index
            # alone (index-only scans on PostgreSQL), without reading the employees.
            models.Index(fields=["contract", "status", "employee"]),
            # « Mes collaborateurs » counts its rows (cancelled mistakes left out) from
            # this small index alone; with the one above, PostgreSQL would rather read
            # the table and check every row's status.
            models.Index(
                fields=["contract"],
                condition=~Q(status=EnrolmentStatus.CANCELLED),
                name="enrolment_listed_by_contract",
            ),
        ]
        # PostgreSQL also has a trigram index on the employees' name key for the search
        # (migration 0016; SQLite has no such index type).
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "contract"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATES)),
                name="one_open_enrolment_per_employee_and_contract",
            ),
            models.CheckConstraint(
                condition=Q(debit_day__isnull=True) | Q(debit_day__in=[5, 10, 15, 20]),
                name="enrolment_debit_day_allowed",
            ),
            models.UniqueConstraint(
                fields=["imported_member_number"],
                condition=~Q(imported_member_number=""),
                name="unique_imported_member_number",
            ),
            models.UniqueConstraint(
                fields=["sepa_mandate_reference"],
                condition=~Q(sepa_mandate_reference=""),
                name="unique_sepa_mandate_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"Adhésion n° {self.member_number}"

    @property
    def member_number(self) -> str:
        """Numéro d'adhérent: the imported one, or derived from the primary key (so
        unique and stable)."""
        if not self.pk:
            return self.imported_member_number
        return member_number_of(self.pk, self.imported_member_number)

    @property
    def employee_status(self) -> str:
        return EMPLOYEE_STATUS_OF_ENROLMENT[self.status]

    @property
    def member_status_label(self) -> str:
        """The status in the employee's words (« Adhésion validée »)."""
        return MEMBER_STATUS_LABELS.get(self.status) or self.get_status_display()

    def days_left(self, now: dt.datetime | None = None) -> int | None:
        if not self.expires_at:
            return None
        remaining = self.expires_at - (now or timezone.now())
        return max(0, remaining.days + (1 if remaining.seconds else 0))

    @property
    def cover_ends_on(self):
        """Last day of cover of an active enrolment whose end is scheduled (a processed
        termination, or a dispensation accepted during membership): it stays active
        until then."""
        return self.end_date if self.status == S.ACTIVE else None

    # --- workflow: rules the pages show -------------------------------------------

    @property
    def can_remind(self) -> bool:
        """The employer may send a reminder: the employee has not finished yet."""
        return self.status in REMINDABLE_STATES

    @property
    def can_cancel(self) -> bool:
        """The employer may cancel a pre-affiliation still waiting for the employee."""
        return self.can("cancel")

    @property
    def can_terminate(self) -> bool:
        """The employer may terminate a covered member's contract (portability already
        follows a termination)."""
        return self.status == S.ACTIVE

    # --- workflow: named transitions -------------------------------------------------

    def can(self, transition: str) -> bool:
        return self.status in ENROLMENT_TRANSITIONS[transition].sources

    def _apply(
        self,
        name: str,
        *,
        by=None,
        label: str = "",
        note: str = "",
        visible_to_employer: bool = True,
        fields: tuple[str, ...] = (),
    ) -> "RequestEvent | None":
        """Change status if the transition starts from the current one, save (with the
        ``fields`` the transition set), sync the affiliation request and write its
        history row. Callers (services) own the surrounding transaction."""
        transition = ENROLMENT_TRANSITIONS[name]
        if self.status not in transition.sources:
            raise InvalidTransition(self, transition.target)
        step = enrolment_step(self.status, transition.target, label=label or transition.label)
        self.status = step.to_status
        self.save(update_fields=["status", "updated_at", *fields])
        request = Request.objects.filter(enrolment=self, type=RequestType.AFFILIATION).first()
        if request is None:
            return None
        return request.move_to(
            step.request_status,
            by=by,
            label=step.label,
            note=note,
            from_detail=step.from_status,
            to_detail=step.to_status,
            visible_to_employer=visible_to_employer,
        )

    def invite(self, *, at: dt.datetime, expires_at: dt.datetime, by=None, label: str = ""):
        self.invited_at = at
        self.expires_at = expires_at
        return self._apply("invite", by=by, label=label, fields=("invited_at", "expires_at"))

    def start(self, *, by, label: str = ""):
        return self._apply("start", by=by, label=label)

    def request_dispensation(self, *, by, label: str = ""):
        return self._apply("request_dispensation", by=by, label=label)

    def withdraw_dispensation(self, *, by, label: str = ""):
        return self._apply("withdraw_dispensation", by=by, label=label)

    def refuse_dispensation(self, *, by, label: str = ""):
        return self._apply("refuse_dispensation", by=by, label=label)

    def dispense(self, *, by=None, label: str = ""):
        return self._apply("dispense", by=by, label=label)

    def end_dispensation(self, *, by=None, label: str = ""):
        return self._apply("end_dispensation", by=by, label=label)

    def sign(self, *, by, at: dt.datetime, label: str = ""):
        self.signed_at = at
        return self._apply("sign", by=by, label=label, fields=("signed_at",))

    def validate(self, *, by, label: str = ""):
        self.activated_at = timezone.now()
        return self._apply("validate", by=by, label=label, fields=("activated_at",))

    def return_to_employee(self, *, by, wizard_step: str, label: str = ""):
        """Back to « adhésion en cours »: the signature is void, the wizard reopens at
        ``wizard_step``."""
        self.signed_at = None
        self.wizard_step = wizard_step
        return self._apply(
            "return_to_employee", by=by, label=label, fields=("signed_at", "wizard_step")
        )

    def start_portability(self, *, end_date: dt.date, by=None, label: str = ""):
        self.end_date = end_date
        return self._apply("start_portability", by=by, label=label, fields=("end_date",))

    def terminate(self, *, by=None, label: str = ""):
        self.ended_at = timezone.now()
        return self._apply("terminate", by=by, label=label, fields=("ended_at",))

    def expire(self, *, at: dt.datetime, note: str = "", label: str = ""):
        self.ended_at = at
        return self._apply("expire", label=label, note=note, fields=("ended_at",))

    def cancel(self, *, by, at: dt.datetime, note: str = "", label: str = ""):
        self.ended_at = at
        return self._apply("cancel", by=by, label=label, note=note, fields=("ended_at",))


class Beneficiary(NirMixin, PostalAddress):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="beneficiaries", verbose_name="adhésion"
    )
    relationship = models.CharField(
        "type de bénéficiaire", max_length=10, choices=Relationship.choices
    )
    spouse_kind = models.CharField(
        "lien avec l'assuré", max_length=10, choices=SpouseKind.choices, blank=True
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_date = models.DateField("date de naissance")
    twin_rank = models.PositiveSmallIntegerField(
        "rang gémellaire", default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    is_student_or_apprentice = models.BooleanField("étudiant ou apprenti", default=False)
    disabled = models.BooleanField("enfant en situation de handicap", default=False)
    same_address = models.BooleanField("mêmes coordonnées que l'assuré principal", default=True)
    phone = PhoneNumberField("téléphone", region="FR", blank=True)
    teletransmission = models.BooleanField("télétransmission", default=False)
    attached_to_member_nir = models.BooleanField(
        "rattaché au numéro de sécurité sociale de l'assuré", default=False
    )
    insurance_fund_code = models.CharField("organisme de rattachement", max_length=20, blank=True)
    alsace_moselle = models.BooleanField("régime local Alsace-Moselle", default=False)
    # Empty: covered with the member from the enrolment's effective date. Set when a
    # beneficiary is added (or removed) later through a member request.
    covered_from = models.DateField("couvert à partir du", null=True, blank=True)
    covered_until = models.DateField("couvert jusqu'au", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["relationship", "birth_date", "twin_rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(relationship="conjoint", covered_until__isnull=True),
                name="one_spouse_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "birth_date", "twin_rank"],
                condition=Q(relationship="enfant"),
                name="distinct_twin_rank_per_birth_date",
            ),
            models.CheckConstraint(
                condition=Q(twin_rank__gte=1) & Q(twin_rank__lte=9), name="twin_rank_range"
            ),
        ]

    def __str__(self) -> str:
        return self.get_relationship_display()

    def save(self, *args, **kwargs):
        self._prepare_nir()
        super().save(*args, **kwargs)


class BankAccount(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="bank_accounts", verbose_name="adhésion"
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bank_accounts",
        help_text="Vide : compte de l'adhérent.",
        verbose_name="bénéficiaire",
    )
    purpose = models.CharField("usage", max_length=20, choices=BankAccountPurpose.choices)
    holder = models.CharField("titulaire du compte", max_length=100)
    iban = EncryptedCharField("IBAN")
    bic = models.CharField("BIC", max_length=11)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "purpose"],
                condition=Q(beneficiary__isnull=True),
                name="one_member_account_per_purpose",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "purpose"],
                condition=Q(beneficiary__isnull=False),
                name="one_beneficiary_account_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.masked_iban}"

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


class SingleUseLink(models.Model):
    """Every single-use link sent by e-mail (invitation, personal e-mail confirmation,
    member account activation), in the spirit of Zulip's ``Confirmation``.

    Only the SHA-256 of the key is stored. Its whole life (issue, find, consume under a
    row lock, revoke) is in ``enrolment/services/links.py``; nothing else reads or
    writes these rows.
    """

    kind = models.CharField("type de lien", max_length=30, choices=LinkKind.choices)
    key_hash = models.CharField("empreinte de la clé", max_length=64, unique=True)
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="adhésion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="single_use_links",
    )
    email = models.EmailField("adresse e-mail", blank=True)
    # What the link carries until it is used (the chosen password's hash and
    # preferences of a member account activation); never shown in the back office.
    data = models.JSONField("données du lien", default=dict, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    # Wrong answers to the link's check (the birth date asked at activation), kept on
    # the row so that no new session or browser starts again from zero.
    failed_checks = models.PositiveSmallIntegerField("vérifications échouées", default=0)
    locked_at = models.DateTimeField("bloqué le", null=True, blank=True)

    class Meta:
        verbose_name = "lien à usage unique"
        verbose_name_plural = "liens à usage unique"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "enrolment"], name="link_kind_enrolment"),
            models.Index(fields=["kind", "user"], name="link_kind_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False) | Q(user__isnull=False),
                name="link_points_to_something",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} du {timezone.localtime(self.created_at):%d/%m/%Y}, "
            f"expire le {timezone.localtime(self.expires_at):%d/%m/%Y %H:%M}"
        )


class Request(models.Model):
    """A request of the company's timeline (« Mes demandes »): affiliation, résiliation,
    dispense, décès. Each type's own state lives on its model; ``status`` is the
    employer's view, kept in sync by those models' transitions."""

    # Indexed by « request_company_recent » below, which starts with it.
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name="entreprise",
        db_index=False,
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="requests", verbose_name="salarié"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name="adhésion",
    )
    type = models.CharField("type", max_length=20, choices=RequestType.choices)
    status = models.CharField(
        "statut", max_length=20, choices=RequestStatus.choices, default=RequestStatus.WAITING
    )
    status_note = models.CharField("précision sur le statut", max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("demande du", default=timezone.now)
    updated_at = models.DateTimeField("mise à jour", auto_now=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande"
        verbose_name_plural = "demandes"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="request_company_recent"),
            models.Index(
                fields=["company", "type", "status", "-created_at"], name="request_company_filter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} n° {self.number}"

    @property
    def number(self) -> str:
        return f"{self.pk:07d}" if self.pk else ""

    def _waiting_affiliation(self) -> "Enrolment | None":
        if self.type != RequestType.AFFILIATION or self.enrolment_id is None:
            return None
        return self.enrolment

    @property
    def can_remind(self) -> bool:
        enrolment = self._waiting_affiliation()
        return enrolment is not None and enrolment.can_remind

    @property
    def can_cancel(self) -> bool:
        enrolment = self._waiting_affiliation()
        return enrolment is not None and enrolment.can_cancel

    @property
    def days_left(self) -> int | None:
        """Days before the invitation link expires, while a reminder is possible."""
        return self.enrolment.days_left() if self.can_remind else None

    def move_to(
        self,
        status: str,
        *,
        by=None,
        label: str,
        note: str = "",
        from_detail: str = "",
        to_detail: str = "",
        visible_to_employer: bool = True,
    ) -> "RequestEvent":
        """Record a step of the request's history and update its employer status."""
        previous = self.status
        self.status = status
        fields = ["status", "updated_at"]
        if status in {RequestStatus.CLOSED, RequestStatus.CANCELLED}:
            self.closed_at = timezone.now()
            fields.append("closed_at")
        if status != previous or note:
            self.status_note = note[:250] if status == RequestStatus.CANCELLED else ""
            fields.append("status_note")
        self.save(update_fields=fields)
        return RequestEvent.objects.create(
            request=self,
            actor=by,
            label=label,
            note=note,
            from_status=from_detail or previous,
            to_status=to_detail or status,
            visible_to_employer=visible_to_employer,
        )


class RequestEvent(models.Model):
    """« Historique de la demande »: who did what, when."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", verbose_name="demande"
    )
    at = models.DateTimeField("date", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    label = models.CharField("événement", max_length=200)
    note = models.TextField("message", blank=True)
    from_status = models.CharField("de", max_length=30, blank=True)
    to_status = models.CharField("vers", max_length=30, blank=True)
    visible_to_employer = models.BooleanField("visible par l'entreprise", default=True)

    class Meta:
        verbose_name = "événement de demande"
        verbose_name_plural = "historique des demandes"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.label}"


class Termination(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="terminations", verbose_name="adhésion"
    )
    request = models.OneToOneField(
        Request,
        on_delete=models.PROTECT,
        related_name="termination",
        null=True,
        blank=True,
        verbose_name="demande",
    )
    hire_date = models.DateField("date d'embauche")
    contracts_start_date = models.DateField(
        "début du premier des contrats successifs",
        null=True,
        blank=True,
        help_text="Pour la durée de la portabilité ; à défaut, la date d'embauche.",
    )
    termination_date = models.DateField("date de résiliation")
    reason = models.CharField("motif", max_length=30, choices=TerminationReason.choices)
    unemployment_benefits = models.CharField(
        "peut prétendre à l'assurance chômage",
        max_length=12,
        choices=UnemploymentEligibility.choices,
        blank=True,
    )
    portability = models.BooleanField("portabilité ouverte", default=False)
    portability_months = models.PositiveSmallIntegerField(
        "durée de portabilité (mois)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    portability_end_date = models.DateField("fin de portabilité", null=True, blank=True)
    unemployment_proof_on = models.DateField(
        "dernier justificatif d'indemnisation chômage reçu le", null=True, blank=True
    )
    early_end_cause = models.CharField(
        "cause de fin anticipée de la portabilité", max_length=30, blank=True
    )
    status = models.CharField(
        "statut",
        max_length=20,
        choices=TerminationStatus.choices,
        default=TerminationStatus.SUBMITTED,
    )
    applied_at = models.DateTimeField(
        "appliquée le",
        null=True,
        blank=True,
        help_text="Quand la résiliation a pris effet sur l'adhésion (le lendemain de sa date).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="déclarée par",
    )
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="traitée par",
    )
    processed_at = models.DateTimeField("traitée le", null=True, blank=True)

    class Meta:
        verbose_name = "résiliation"
        verbose_name_plural = "résiliations"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(termination_date__gte=models.F("hire_date")),
                name="termination_after_hire",
            ),
            models.CheckConstraint(
                condition=Q(contracts_start_date__isnull=True)
                | Q(contracts_start_date__lte=models.F("hire_date")),
                name="contracts_start_before_hire",
            ),
            models.CheckConstraint(
                condition=Q(portability=False) | Q(portability_end_date__isnull=False),
                name="portability_has_end_date",
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="submitted"),
                name="one_pending_termination_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"Résiliation au {self.termination_date:%d/%m/%Y}"

    @property
    def period_start_date(self) -> dt.date:
        """Start of the contracts counted for the portability duration."""
        return self.contracts_start_date or self.hire_date

    @property
    def scheduled(self) -> bool:
        """Processed by the back office, taking effect the day after its date."""
        return self.status == TerminationStatus.PROCESSED and self.applied_at is None


def postal_letter_path(instance: "PostalLetter", filename: str) -> str:
    return f"courriers/{instance.enrolment_id}/{instance.kind}.pdf"


class PostalLetter(models.Model):
    """A letter for an employee without e-mail, for the back office to print and post.

    The provisional password exists in clear only inside the PDF of the second letter
    (private storage); the account keeps its hash.
    """

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="postal_letters",
        verbose_name="adhésion",
    )
    kind = models.CharField("courrier", max_length=20, choices=PostalLetterKind.choices)
    file = models.FileField("PDF", upload_to=postal_letter_path)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    printed_at = models.DateTimeField("imprimé le", null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="imprimé par",
    )

    class Meta:
        verbose_name = "courrier à poster"
        verbose_name_plural = "courriers à poster"
        ordering = ["printed_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="one_letter_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — adhésion n° {self.enrolment.member_number}"


class ProvisionalPassword(models.Model):
    """A password set by the mutuelle and posted to an employee without e-mail: while
    this row exists the account must choose its own password before anything else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provisional_password",
        verbose_name="utilisateur",
    )
    issued_at = models.DateTimeField("émis le", auto_now_add=True)

    class Meta:
        verbose_name = "mot de passe provisoire à changer"
        verbose_name_plural = "mots de passe provisoires à changer"

    def __str__(self) -> str:
        return f"{self.user} (émis le {self.issued_at:%d/%m/%Y})"


# Signature models live in their own module; importing them here registers them.
from .member_models import MemberCard, MemberDocument  # noqa: E402, F401
from .signature.models import (  # noqa: E402, F401
    SignatureAttempt,
    SignatureChallenge,
    SignatureEvidence,
    SignedEnrolment,
)
