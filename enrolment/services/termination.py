"""Termination of an employee's enrolment, with the portability of art. L911-8 CSS.

The correspondent submits a termination (a « Résiliation » request, or « Décès ») and
may withdraw it until the back office processes it. Processing schedules it: the
enrolment stays « mis en gestion » until the termination date, and the daily job
applies it the day after (radié, or in portability from that day). The same job ends
portability periods on their end date, which an early end (benefits stopped) may bring
forward. The rule itself — which endings open portability and for how long — is in
``enrolment.portability``.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

from ..enums import (
    EnrolmentStatus,
    RequestStatus,
    RequestType,
    TerminationReason,
    TerminationStatus,
)
from ..models import Enrolment, Request, Termination
from ..portability import (
    PORTABILITY_REASONS,
    EarlyEndCause,
    early_end_date,
    portability_decide,
    proof_due,
)
from .card import member_card_issue
from .correspondents import correspondents_tell_processed
from .member_documents import member_document_copy_message


def termination_errors(
    *,
    enrolment: Enrolment,
    hire_date: dt.date | None,
    termination_date: dt.date | None,
    reason: str | None,
    unemployment: str | None,
    contracts_start_date: dt.date | None = None,
) -> dict[str, list[str]]:
    """Every rule of the termination form, as French messages keyed by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not enrolment.can_terminate:
        add(
            "__all__",
            "Seul le contrat d'un collaborateur mis en gestion peut être résilié "
            f"(statut actuel : {enrolment.get_status_display().lower()}).",
        )
    elif (
        enrolment.terminations.filter(status=TerminationStatus.SUBMITTED).exists()
        or enrolment.terminations.filter(
            status=TerminationStatus.PROCESSED, applied_at__isnull=True
        ).exists()
    ):
        add("__all__", "Une demande de résiliation est déjà en cours pour ce collaborateur.")
    if hire_date and hire_date <= enrolment.employee.birth_date:
        add("hire_date", "La date d'embauche doit être postérieure à la date de naissance.")
    if hire_date and hire_date > timezone.localdate():
        add("hire_date", "La date d'embauche ne peut pas être dans le futur.")
    if contracts_start_date and hire_date and contracts_start_date > hire_date:
        add(
            "contracts_start_date",
            "Le premier des contrats successifs commence au plus tard à la date d'embauche "
            f"({hire_date:%d/%m/%Y}).",
        )
    if contracts_start_date and contracts_start_date <= enrolment.employee.birth_date:
        add(
            "contracts_start_date",
            "Le début du premier contrat doit être postérieur à la date de naissance.",
        )
    if termination_date:
        if hire_date and termination_date < hire_date:
            add(
                "termination_date",
                "La date de résiliation ne peut pas être antérieure à la date d'embauche "
                f"({hire_date:%d/%m/%Y}).",
            )
        if termination_date < enrolment.effective_date:
            add(
                "termination_date",
                "La date de résiliation ne peut pas être antérieure à la date d'effet du "
                f"contrat ({enrolment.effective_date:%d/%m/%Y}).",
            )
    if reason in PORTABILITY_REASONS and not unemployment:
        add(
            "unemployment",
            "Indiquez si le salarié peut prétendre à l'assurance chômage (Oui, Non ou "
            "Ne sait pas).",
        )
    return errors


def termination_submit(
    *,
    enrolment: Enrolment,
    hire_date: dt.date,
    termination_date: dt.date,
    reason: str,
    unemployment: str | None,
    contracts_start_date: dt.date | None = None,
    by,
) -> Termination:
    """Record the correspondent's termination and open its request (« Résiliation », or
    « Décès » for a death), to be processed by the back office. Portability is not asked
    for: it follows from the reason and the unemployment answer (art. L911-8 CSS)."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee")
            .get(pk=enrolment.pk)
        )
        errors = termination_errors(
            enrolment=enrolment,
            hire_date=hire_date,
            termination_date=termination_date,
            reason=reason,
            unemployment=unemployment,
            contracts_start_date=contracts_start_date,
        )
        if errors:
            raise ValidationError(errors)
        if reason not in PORTABILITY_REASONS:
            unemployment = None
        decision = portability_decide(
            reason=reason,
            unemployment=unemployment,
            start_date=contracts_start_date or hire_date,
            termination_date=termination_date,
        )
        period = decision.period
        request = Request.objects.create(
            company_id=enrolment.employee.company_id,
            employee=enrolment.employee,
            enrolment=enrolment,
            type=RequestType.DEATH
            if reason == TerminationReason.DEATH
            else RequestType.TERMINATION,
            status=RequestStatus.PROCESSING,
            created_by=by,
        )
        termination = Termination.objects.create(
            enrolment=enrolment,
            request=request,
            hire_date=hire_date,
            contracts_start_date=contracts_start_date
            if contracts_start_date and contracts_start_date != hire_date
            else None,
            termination_date=termination_date,
            reason=reason,
            unemployment_benefits=unemployment or "",
            portability=decision.opens,
            portability_months=period.months if period else None,
            portability_end_date=period.end_date if period else None,
            created_by=by,
        )
        note = (
            f"Motif : {TerminationReason(reason).label}. Date de résiliation : "
            f"{termination_date:%d/%m/%Y}. {decision.explanation}"
        )
        request.move_to(
            RequestStatus.PROCESSING, by=by, label="Demande transmise par l'entreprise", note=note
        )
        return termination


def termination_withdraw(*, termination: Termination, by) -> Termination:
    """The correspondent withdraws a termination the back office has not processed yet:
    the employee stays covered as if nothing had been sent."""
    with transaction.atomic():
        termination = (
            Termination.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=termination.pk)
        )
        if termination.status != TerminationStatus.SUBMITTED:
            raise ValidationError(
                "Cette résiliation a déjà été traitée par la mutuelle : elle ne peut plus être "
                "retirée. Contactez votre chargé d'affaires."
            )
        termination.status = TerminationStatus.CANCELLED
        termination.save(update_fields=["status"])
        if termination.request is not None:
            termination.request.move_to(
                RequestStatus.CANCELLED,
                by=by,
                label="Demande de résiliation retirée par l'entreprise",
                note="Demande retirée par l'entreprise avant son traitement.",
            )
        return termination


def termination_process(*, termination: Termination, by) -> Termination:
    """Back office: accept the termination. It takes effect the day after its date (the
    cover runs to the end of the last day worked): until then the employee stays « mis
    en gestion » with the termination scheduled, and the daily job applies it. A
    termination whose date has already passed is applied at once."""
    with transaction.atomic():
        termination = (
            # Lock the termination row only: "request" is a nullable (outer) join.
            Termination.objects.select_for_update(of=("self",))
            .select_related("enrolment__employee__company", "enrolment__contract", "request")
            .get(pk=termination.pk)
        )
        if termination.status != TerminationStatus.SUBMITTED:
            raise ValidationError("Cette résiliation a déjà été traitée ou annulée.")
        enrolment = termination.enrolment
        termination.status = TerminationStatus.PROCESSED
        termination.processed_by = by
        termination.processed_at = timezone.now()
        termination.save(update_fields=["status", "processed_by", "processed_at"])
        # The cover runs to the termination date; portability, if any, extends it when
        # the termination takes effect.
        enrolment.end_date = termination.termination_date
        enrolment.save(update_fields=["end_date", "updated_at"])
        label = f"Résiliation traitée : fin de la couverture le {enrolment.end_date:%d/%m/%Y}"
        if termination.portability:
            label = (
                f"Résiliation traitée : fin du contrat de travail le "
                f"{termination.termination_date:%d/%m/%Y}, portabilité jusqu'au "
                f"{termination.portability_end_date:%d/%m/%Y}"
            )
        if termination.request is not None:
            termination.request.move_to(RequestStatus.CLOSED, by=by, label=label)
        if timezone.localdate() > termination.termination_date:
            _apply(termination, by=by)
        employee = enrolment.employee
        correspondents_tell_processed(
            employee=employee,
            key=f"employer-termination-processed:{termination.pk}",
            decision="termination_processed",
            termination=termination,
        )
        if employee.email and termination.reason != TerminationReason.DEATH:
            message = notification_send(
                key=f"termination:{termination.pk}",
                channel=Channel.EMAIL,
                to=employee.email,
                template="termination",
                context={
                    "employee": employee,
                    "company": employee.company,
                    "enrolment": enrolment,
                    "termination": termination,
                    "portability_start_date": termination.termination_date + dt.timedelta(days=1),
                },
            )
            member_document_copy_message(
                enrolment=enrolment,
                message=message,
                title="E-mail de portabilité des droits"
                if termination.portability
                else "E-mail de fin d'adhésion",
            )
        return termination


def _apply(termination: Termination, *, by=None) -> None:
    """The termination takes effect: radié, or in portability from the next day. Called
    under the termination's lock."""
    enrolment = termination.enrolment
    if termination.portability:
        enrolment.start_portability(
            end_date=termination.portability_end_date,
            by=by,
            label=(
                f"Début de la portabilité le "
                f"{termination.termination_date + dt.timedelta(days=1):%d/%m/%Y}, jusqu'au "
                f"{termination.portability_end_date:%d/%m/%Y}"
            ),
        )
        if enrolment.end_date >= timezone.localdate() and not enrolment.contract.is_provident:
            # The card follows the cover: the new one ends with the portability (a
            # prévoyance contract has no tiers-payant card).
            member_card_issue(enrolment=enrolment, reason="Portabilité des droits")
    else:
        enrolment.terminate(
            by=by, label=f"Fin de la couverture au {termination.termination_date:%d/%m/%Y}"
        )
    termination.applied_at = timezone.now()
    termination.save(update_fields=["applied_at"])


def terminations_apply_due(*, today: dt.date | None = None) -> int:
    """Daily: apply the processed terminations whose date has passed. Idempotent: a
    termination is applied once, under its lock."""
    today = today or timezone.localdate()
    due = Termination.objects.filter(
        status=TerminationStatus.PROCESSED,
        applied_at__isnull=True,
        termination_date__lt=today,
    ).values_list("pk", flat=True)
    applied = 0
    for pk in list(due):
        with transaction.atomic():
            termination = (
                Termination.objects.select_for_update(of=("self",))
                .select_related("enrolment__contract")
                .get(pk=pk)
            )
            if termination.applied_at is not None:
                continue
            _apply(termination)
            applied += 1
    return applied


def portability_record_proof(*, termination: Termination, received_on: dt.date, by) -> None:
    """Back office: the former employee sent a proof of unemployment benefits."""
    with transaction.atomic():
        termination = Termination.objects.select_for_update(of=("self",)).get(pk=termination.pk)
        if not termination.portability:
            raise ValidationError("Cette résiliation n'a pas ouvert de portabilité.")
        termination.unemployment_proof_on = received_on
        termination.save(update_fields=["unemployment_proof_on"])
        if termination.request_id:
            termination.request.move_to(
                termination.request.status,
                by=by,
                label=f"Justificatif d'indemnisation chômage reçu le {received_on:%d/%m/%Y}",
                visible_to_employer=False,
            )


def portability_end_early(
    *, termination: Termination, benefits_end: dt.date, cause: str, by
) -> dt.date:
    """The former employee's benefits stopped (new job, end of rights, retirement): the
    portability ends that day, never after its computed end. The daily job then closes
    it. Returns the new end date."""
    if cause not in EarlyEndCause.LABELS:
        raise ValueError(f"Unknown early-end cause {cause!r}")
    with transaction.atomic():
        termination = (
            Termination.objects.select_for_update(of=("self",))
            .select_related("enrolment", "request")
            .get(pk=termination.pk)
        )
        enrolment = Enrolment.objects.select_for_update().get(pk=termination.enrolment_id)
        if not termination.portability or enrolment.status not in {
            EnrolmentStatus.ACTIVE,
            EnrolmentStatus.PORTABILITY,
        }:
            raise ValidationError("Aucune portabilité en cours pour cette adhésion.")
        if benefits_end < termination.termination_date:
            raise ValidationError(
                "La fin de l'indemnisation ne peut pas précéder la fin du contrat de travail "
                f"({termination.termination_date:%d/%m/%Y})."
            )
        end = early_end_date(
            computed_end=termination.portability_end_date, benefits_end=benefits_end
        )
        termination.portability_end_date = end
        termination.early_end_cause = cause
        termination.save(update_fields=["portability_end_date", "early_end_cause"])
        if enrolment.status == EnrolmentStatus.PORTABILITY:
            enrolment.end_date = end
            enrolment.save(update_fields=["end_date", "updated_at"])
        if termination.request is not None:
            termination.request.move_to(
                termination.request.status,
                by=by,
                label=f"Portabilité écourtée au {end:%d/%m/%Y} ({EarlyEndCause.LABELS[cause]})",
                # Why the benefits stopped is the former employee's business: the
                # employer sees the portability end, not its cause.
                visible_to_employer=False,
            )
        return end


def portability_proofs_due(queryset=None, *, today: dt.date | None = None):
    """Processed terminations with portability whose unemployment proof is missing or
    stale (one at the start, then every ``PORTABILITY_PROOF_RENEWAL_DAYS``), for the back
    office's filter. Evaluated in Python over the (few) open portability periods."""
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else Termination.objects.all()
    open_periods = queryset.filter(
        status=TerminationStatus.PROCESSED,
        portability=True,
        enrolment__status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY],
    ).values_list("pk", "termination_date", "unemployment_proof_on")
    due = [
        pk
        for pk, termination_date, proof_on in open_periods
        if proof_due(
            last_proof_on=proof_on,
            period_start=termination_date + dt.timedelta(days=1),
            today=today,
            renewal_days=settings.PORTABILITY_PROOF_RENEWAL_DAYS,
        )
    ]
    return queryset.filter(pk__in=due)


def portability_end_due(*, today: dt.date | None = None) -> int:
    """End the portability periods whose end date has passed. Idempotent: only
    enrolments still in portability are touched, each under its own lock."""
    today = today or timezone.localdate()
    ended = 0
    due = Enrolment.objects.filter(
        status=EnrolmentStatus.PORTABILITY, end_date__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            enrolment = Enrolment.objects.select_for_update().get(pk=pk)
            if enrolment.status != EnrolmentStatus.PORTABILITY:
                continue
            enrolment.terminate(label=f"Fin de la portabilité au {enrolment.end_date:%d/%m/%Y}")
            ended += 1
    return ended
