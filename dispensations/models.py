"""Dispensation requests, their proofs and the per-contract settings of act-only cases.

A dispensation is tied to a ``Request`` of type « Dispense » (the company's timeline):
the employer sees that request's status changes only, while what reveals the private or
health situation (the case, messages, reasons) goes in history rows hidden from the
employer.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, RequestStatus
from enrolment.exceptions import InvalidTransition
from enrolment.models import Enrolment, Request, RequestEvent
from mutuelle.models import Contract

from .cases import ACT_ONLY_CASES, CASE_CHOICES, CASES_BY_CODE, get_case
from .enums import OPEN_STATES, DispensationStatus, ProofKind

S = DispensationStatus
# The one table of allowed dispensation transitions.
DISPENSATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.AWAITING_COMPLEMENT, S.ACCEPTED, S.REFUSED, S.WITHDRAWN}),
    S.AWAITING_COMPLEMENT: frozenset({S.SUBMITTED, S.ACCEPTED, S.REFUSED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.ENDED}),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.ENDED: frozenset(),
}


class ContractDispensationSettings(models.Model):
    """What the company's act (DUE, agreement) says about dispensations."""

    contract = models.OneToOneField(
        Contract,
        verbose_name="contrat",
        on_delete=models.CASCADE,
        related_name="dispensation_settings",
    )
    act_cases = models.JSONField(
        "cas de dispense prévus par l'acte",
        default=list,
        blank=True,
        help_text="Cas ouverts seulement si l'acte de mise en place (DUE, accord) les prévoit.",
    )
    unilateral_decision_date = models.DateField(
        "date de mise en place du régime par décision unilatérale (DUE)",
        null=True,
        blank=True,
        help_text=(
            "Vide si le régime n'a pas été mis en place par DUE. Sert aux dispenses des "
            "salariés présents à la mise en place (loi Évin, art. 11 ; art. R242-1-6 1° CSS). "
            "Ne pas confondre avec la date d'effet du contrat d'assurance, qui change avec "
            "l'assureur."
        ),
    )
    unilateral_decision_with_contribution = models.BooleanField(
        "régime mis en place par décision unilatérale avec cotisation salariale",
        default=False,
        help_text="Ouvre la dispense des salariés présents à la mise en place (loi Évin, art. 11).",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "paramètres de dispense d'un contrat"
        verbose_name_plural = "paramètres de dispense des contrats"

    def __str__(self) -> str:
        return f"Dispenses du contrat {self.contract.number}"

    def clean(self):
        allowed = {case.code for case in ACT_ONLY_CASES}
        self.act_cases = sorted(code for code in self.act_cases if code in allowed)
        needs_date = self.unilateral_decision_with_contribution or any(
            CASES_BY_CODE[code].hired_before_scheme for code in self.act_cases
        )
        if needs_date and self.unilateral_decision_date is None:
            raise ValidationError(
                {
                    "unilateral_decision_date": (
                        "Indiquez la date de la décision unilatérale : les dispenses des "
                        "salariés présents à la mise en place en dépendent."
                    )
                }
            )


class DispensationQuerySet(models.QuerySet):
    def of_employee_user(self, user) -> "DispensationQuerySet":
        """Only the employee's own requests: correspondents never see these details."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrolment__employee__user=user)


class Dispensation(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="affiliation",
        on_delete=models.PROTECT,
        related_name="dispensations",
    )
    request = models.OneToOneField(
        Request, verbose_name="demande", on_delete=models.PROTECT, related_name="dispensation"
    )
    case = models.CharField("motif", max_length=40, choices=CASE_CHOICES)
    status = models.CharField(
        "statut", max_length=20, choices=DispensationStatus.choices, default=S.SUBMITTED
    )
    end_date = models.DateField("date de fin de la dispense", null=True, blank=True)
    payroll_id = models.CharField("matricule déclaré", max_length=30, blank=True)
    hire_date = models.DateField("date d'embauche déclarée")
    insurer_name = models.CharField("organisme assureur déclaré", max_length=120, blank=True)
    during_membership = models.BooleanField(
        "demandée en cours d'adhésion",
        default=False,
        help_text=(
            "Adhérent déjà couvert dont la situation a changé (D911-2 1° et 3° CSS) : la "
            "couverture prend fin à la fin du mois de l'acceptation."
        ),
    )
    sworn_statement_accepted_at = models.DateTimeField("déclaration sur l'honneur acceptée le")
    back_office_message = models.TextField("message du centre de gestion", blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejustify_by = models.DateField("justificatif annuel attendu avant le", null=True, blank=True)
    rejustification_requested_for = models.DateField(
        "justificatif annuel demandé pour l'échéance du", null=True, blank=True
    )
    ended_at = models.DateTimeField("terminée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = DispensationQuerySet.as_manager()

    class Meta:
        verbose_name = "dispense d'adhésion"
        verbose_name_plural = "dispenses d'adhésion"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "end_date"]),
            models.Index(fields=["status", "rejustify_by"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATES)),
                name="one_open_dispensation_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispense N°{self.number}"

    @property
    def number(self) -> str:
        return self.request.number if self.request_id else ""

    @property
    def case_info(self):
        return get_case(self.case)

    @property
    def comment(self) -> str:
        """The line the employee reads in « Suivi de mes demandes »."""
        if self.status == S.AWAITING_COMPLEMENT and self.back_office_message:
            return self.back_office_message
        return f"Dispense pour l'assuré {self.enrolment.employee.first_name.upper()}"

    # --- state machine -------------------------------------------------------------

    def can_transition(self, to_status: str) -> bool:
        return to_status in DISPENSATION_TRANSITIONS[self.status]

    def _move(self, to_status: str, *, fields: tuple[str, ...] = ()) -> str:
        if not self.can_transition(to_status):
            raise InvalidTransition(self, to_status)
        previous = self.status
        self.status = to_status
        self.save(update_fields=["status", "updated_at", *fields])
        return previous

    def _event(
        self, *, by, label: str, note: str = "", from_status: str, visible: bool
    ) -> RequestEvent:
        """A history row that does not change the employer's status of the request."""
        return RequestEvent.objects.create(
            request=self.request,
            actor=by,
            label=label,
            note=note,
            from_status=from_status,
            to_status=self.status,
            visible_to_employer=visible,
        )

    def ask_complement(self, *, by, message: str) -> RequestEvent:
        self.back_office_message = message
        previous = self._move(S.AWAITING_COMPLEMENT, fields=("back_office_message",))
        # The message names the missing proof: it reveals the situation, so the
        # employer keeps seeing « En cours » and nothing else.
        return self._event(
            by=by,
            label=S.AWAITING_COMPLEMENT.label,
            note=message,
            from_status=previous,
            visible=False,
        )

    def complete(self, *, by) -> RequestEvent:
        previous = self._move(S.SUBMITTED)
        return self._event(
            by=by,
            label="Demande complétée par le salarié",
            from_status=previous,
            visible=False,
        )

    def accept(self, *, by) -> RequestEvent:
        self.decided_at = timezone.now()
        self.decided_by = by
        if self.case_info.yearly_rejustification:
            self.rejustify_by = timezone.localdate() + relativedelta(years=1)
        previous = self._move(S.ACCEPTED, fields=("decided_at", "decided_by", "rejustify_by"))
        event = self.request.move_to(
            RequestStatus.CLOSED,
            by=by,
            label="Traitée : dispense validée, dossier d'adhésion clôturé",
            from_detail=previous,
            to_detail=self.status,
        )
        if self.during_membership:
            # The member stays covered to the end of the month; the daily job then
            # closes the enrolment (dispensations_start_due).
            enrolment = self.enrolment
            enrolment.end_date = end_of_month(timezone.localdate())
            enrolment.save(update_fields=["end_date", "updated_at"])
            self._event(
                by=by,
                label=f"Couverture maintenue jusqu'au {enrolment.end_date:%d/%m/%Y}",
                from_status=self.status,
                visible=True,
            )
        else:
            self.enrolment.dispense(by=by)
        return event

    def start(self, *, by=None) -> None:
        """A dispensation asked during membership takes effect: the cover has ended."""
        self.enrolment.dispense(
            by=by,
            label=(
                f"Dispense en vigueur : couverture terminée le {self.enrolment.end_date:%d/%m/%Y}"
            ),
        )

    def refuse(self, *, by, reason: str) -> RequestEvent:
        self.decided_at = timezone.now()
        self.decided_by = by
        self.refusal_reason = reason
        previous = self._move(S.REFUSED, fields=("decided_at", "decided_by", "refusal_reason"))
        self.request.move_to(
            RequestStatus.CANCELLED,
            by=by,
            label="Dispense refusée : l'adhésion continue"
            if self.during_membership
            else "Dispense refusée : le salarié est invité à adhérer",
            from_detail=previous,
            to_detail=self.status,
        )
        event = self._event(
            by=by, label="Motif du refus", note=reason, from_status=previous, visible=False
        )
        if not self.during_membership:
            self.enrolment.refuse_dispensation(by=by)
        return event

    def withdraw(self, *, by) -> RequestEvent:
        previous = self._move(S.WITHDRAWN)
        event = self.request.move_to(
            RequestStatus.CANCELLED,
            by=by,
            label="Demande retirée par le salarié",
            from_detail=previous,
            to_detail=self.status,
        )
        if not self.during_membership:
            self.enrolment.withdraw_dispensation(by=by)
        return event

    def end(self, *, by=None) -> RequestEvent:
        self.ended_at = timezone.now()
        previous = self._move(S.ENDED, fields=("ended_at",))
        event = self.request.move_to(
            RequestStatus.CLOSED,
            by=by,
            label="Fin de la dispense : le salarié est invité à adhérer",
            from_detail=previous,
            to_detail=self.status,
        )
        enrolment = self.enrolment
        if enrolment.status == EnrolmentStatus.ACTIVE:
            # Asked during membership, ended before it took effect: the cover goes on.
            enrolment.end_date = None
            enrolment.save(update_fields=["end_date", "updated_at"])
        else:
            enrolment.end_dispensation(by=by)
        return event


def end_of_month(day: dt.date) -> dt.date:
    return day + relativedelta(day=31)


def proof_upload_to(instance, filename: str) -> str:
    # The service already gave the file a random name; keep it under one folder.
    return f"dispensations/justificatifs/{filename}"


class DispensationProof(models.Model):
    dispensation = models.ForeignKey(
        Dispensation, verbose_name="dispense", on_delete=models.CASCADE, related_name="proofs"
    )
    file = models.FileField("fichier", upload_to=proof_upload_to, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    kind = models.CharField(
        "envoyé pour", max_length=20, choices=ProofKind.choices, default=ProofKind.REQUEST
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="déposé par",
    )
    uploaded_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "justificatif"
        verbose_name_plural = "justificatifs"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
