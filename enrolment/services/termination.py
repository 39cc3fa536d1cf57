"""Termination of an employee's enrolment, with the portability of art. L911-8 CSS.

The correspondent submits a termination (a « Résiliation » request, or « Décès »); the
back office processes it in the admin, which ends the coverage or opens the
portability period; a periodic job ends portability periods on their end date.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

from ..enums import (
    PORTABILITY_REASONS,
    EnrolmentStatus,
    RequestStatus,
    RequestType,
    TerminationReason,
    TerminationStatus,
)
from ..models import Enrolment, Request, Termination

PORTABILITY_MAX_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day (31/01 + 1 → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def employment_months(*, hire_date: dt.date, termination_date: dt.date) -> int:
    """Length of the employment contract, both days included, in months rounded up."""
    end_exclusive = termination_date + dt.timedelta(days=1)
    months = (end_exclusive.year - hire_date.year) * 12 + end_exclusive.month - hire_date.month
    while months > 0 and add_months(hire_date, months) > end_exclusive:
        months -= 1
    if add_months(hire_date, months) < end_exclusive:
        months += 1
    return max(months, 1)


@dataclass(frozen=True)
class PortabilityPeriod:
    months: int
    start_date: dt.date
    end_date: dt.date


def portability_period(*, hire_date: dt.date, termination_date: dt.date) -> PortabilityPeriod:
    """Art. L911-8 CSS: as long as the last employment contract with this employer,
    counted in whole months rounded up, at most 12 months, from the day after the
    contract ends."""
    months = min(
        employment_months(hire_date=hire_date, termination_date=termination_date),
        PORTABILITY_MAX_MONTHS,
    )
    start = termination_date + dt.timedelta(days=1)
    return PortabilityPeriod(
        months=months, start_date=start, end_date=add_months(start, months) - dt.timedelta(days=1)
    )


def termination_errors(
    *,
    enrolment: Enrolment,
    hire_date: dt.date | None,
    termination_date: dt.date | None,
    reason: str | None,
    portability: bool | None,
) -> dict[str, list[str]]:
    """Every rule of the termination form, as French messages keyed by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if enrolment.status != EnrolmentStatus.ACTIVE:
        add(
            "__all__",
            "Seul le contrat d'un collaborateur mis en gestion peut être résilié "
            f"(statut actuel : {enrolment.get_status_display().lower()}).",
        )
    elif enrolment.terminations.filter(status=TerminationStatus.SUBMITTED).exists():
        add("__all__", "Une demande de résiliation est déjà en cours pour ce collaborateur.")
    if hire_date and hire_date <= enrolment.employee.birth_date:
        add("hire_date", "La date d'embauche doit être postérieure à la date de naissance.")
    if hire_date and hire_date > timezone.localdate():
        add("hire_date", "La date d'embauche ne peut pas être dans le futur.")
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
    if reason in PORTABILITY_REASONS and portability is None:
        add("portability", "Indiquez si vous souhaitez activer la portabilité.")
    return errors


def termination_submit(
    *,
    enrolment: Enrolment,
    hire_date: dt.date,
    termination_date: dt.date,
    reason: str,
    portability: bool | None,
    by,
) -> Termination:
    """Record the correspondent's termination and open its request (« Résiliation », or
    « Décès » for a death), to be processed by the back office."""
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
            portability=portability,
        )
        if errors:
            raise ValidationError(errors)
        with_portability = bool(portability) and reason in PORTABILITY_REASONS
        period = (
            portability_period(hire_date=hire_date, termination_date=termination_date)
            if with_portability
            else None
        )
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
            termination_date=termination_date,
            reason=reason,
            portability=with_portability,
            portability_months=period.months if period else None,
            portability_end_date=period.end_date if period else None,
            created_by=by,
        )
        note = f"Motif : {TerminationReason(reason).label}. Date de résiliation : " + (
            f"{termination_date:%d/%m/%Y}."
        )
        if period:
            note += (
                f" Portabilité demandée : {period.months} mois, du "
                f"{period.start_date:%d/%m/%Y} au {period.end_date:%d/%m/%Y}."
            )
        request.move_to(
            RequestStatus.PROCESSING, by=by, label="Demande transmise par l'entreprise", note=note
        )
        return termination


def termination_process(*, termination: Termination, by) -> Termination:
    """Back office: end the coverage (radié) or open the portability period until its end
    date. Beneficiaries are covered through the enrolment, so they follow its status and
    end date. The employee is told by e-mail, with the portability dates if any."""
    with transaction.atomic():
        termination = (
            # Lock the termination row only: "request" is a nullable (outer) join.
            Termination.objects.select_for_update(of=("self",))
            .select_related("enrolment__employee__company", "request")
            .get(pk=termination.pk)
        )
        if termination.status != TerminationStatus.SUBMITTED:
            raise ValidationError("Cette résiliation a déjà été traitée ou annulée.")
        enrolment = termination.enrolment
        if termination.portability:
            end_date = termination.portability_end_date
            label = f"Résiliation traitée : portabilité jusqu'au {end_date:%d/%m/%Y}"
            to_status = EnrolmentStatus.PORTABILITY
        else:
            end_date = termination.termination_date
            label = f"Résiliation traitée : salarié radié au {end_date:%d/%m/%Y}"
            to_status = EnrolmentStatus.TERMINATED
        enrolment.end_date = end_date
        if to_status == EnrolmentStatus.TERMINATED:
            enrolment.ended_at = timezone.now()
        enrolment.save(update_fields=["end_date", "ended_at", "updated_at"])
        enrolment.transition(to_status, by=by, label=label)
        termination.status = TerminationStatus.PROCESSED
        termination.processed_by = by
        termination.processed_at = timezone.now()
        termination.save(update_fields=["status", "processed_by", "processed_at"])
        if termination.request is not None:
            termination.request.move_to(RequestStatus.CLOSED, by=by, label=label)
        employee = enrolment.employee
        if employee.email and termination.reason != TerminationReason.DEATH:
            notification_send(
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
        return termination


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
            enrolment.ended_at = timezone.now()
            enrolment.save(update_fields=["ended_at", "updated_at"])
            enrolment.transition(
                EnrolmentStatus.TERMINATED,
                label=f"Fin de la portabilité au {enrolment.end_date:%d/%m/%Y}",
            )
            ended += 1
    return ended
