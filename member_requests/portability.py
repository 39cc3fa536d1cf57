"""Portability declaration (art. L911-8 CSS) from the member's space.

The former employee sends the France Travail notice of unemployment benefits (ARE);
during the period, « J'ai retrouvé un emploi » or « Je ne suis plus indemnisé(e) » with
a date ends the portability at that date (never after the computed end) once the back
office accepts. The rules and the termination's history are enrolment's
(``portability_record_proof``, ``portability_end_early``): the employer's request
shows the status change, never the proofs.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, TerminationStatus
from enrolment.models import Enrolment, Termination
from enrolment.services.termination import portability_end_early, portability_record_proof
from mutuelle.models import User

from .enums import MemberRequestKind, PortabilityEndCause
from .kinds import register_kind
from .models import MemberRequest, PortabilityDeclaration
from .services import member_request_submit

K = MemberRequestKind
NOTICE_LABEL = "Attestation France Travail (ARE)"


def open_portability(enrolment: Enrolment) -> Termination | None:
    """The processed termination whose portability is running (or about to)."""
    if enrolment.status not in {EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY}:
        return None
    return (
        Termination.objects.filter(
            enrolment=enrolment, status=TerminationStatus.PROCESSED, portability=True
        )
        .order_by("-termination_date", "-pk")
        .first()
    )


def _termination_or_error(enrolment: Enrolment) -> Termination:
    termination = open_portability(enrolment)
    if termination is None:
        raise ValidationError("Aucune portabilité n'est ouverte pour votre contrat.")
    return termination


def portability_declare(
    *, enrolment: Enrolment, notice: UploadedFile | None, by: User, submission_key: str = ""
) -> MemberRequest:
    termination = _termination_or_error(enrolment)
    if notice is None:
        raise ValidationError({"documents": "Joignez votre attestation France Travail (ARE)."})
    return member_request_submit(
        enrolment=enrolment,
        kind=K.PORTABILITY,
        by=by,
        documents=[(NOTICE_LABEL, notice)],
        submission_key=submission_key,
        build_detail=lambda r: PortabilityDeclaration.objects.create(
            request=r, termination=termination
        ),
    )


def portability_end_declare(
    *,
    enrolment: Enrolment,
    cause: str,
    end_date: dt.date | None,
    by: User,
    documents=(),
    submission_key: str = "",
) -> MemberRequest:
    termination = _termination_or_error(enrolment)
    errors = {}
    if cause not in PortabilityEndCause.values:
        errors["cause"] = "Choisissez votre situation."
    if end_date is None:
        errors["end_date"] = "Indiquez la date."
    elif end_date <= termination.termination_date:
        errors["end_date"] = (
            "La date doit suivre la fin de votre contrat de travail "
            f"({termination.termination_date:%d/%m/%Y})."
        )
    elif end_date > timezone.localdate() + dt.timedelta(days=31):
        errors["end_date"] = "Déclarez cette date au plus un mois à l'avance."
    if errors:
        raise ValidationError(errors)
    return member_request_submit(
        enrolment=enrolment,
        kind=K.PORTABILITY_END,
        by=by,
        documents=documents,
        submission_key=submission_key,
        build_detail=lambda r: PortabilityDeclaration.objects.create(
            request=r, termination=termination, end_cause=cause, end_date=end_date
        ),
    )


def _declaration_accept(*, member_request: MemberRequest, by) -> None:
    declaration = member_request.portability_declaration
    portability_record_proof(
        termination=declaration.termination,
        received_on=timezone.localdate(member_request.created_at),
        by=by,
    )


def _end_accept(*, member_request: MemberRequest, by) -> None:
    declaration = member_request.portability_declaration
    # The day before the new job (or the last day of benefits) ends the cover.
    last_day = declaration.end_date
    if declaration.end_cause == PortabilityEndCause.NEW_JOB:
        last_day -= dt.timedelta(days=1)
    end = portability_end_early(
        termination=declaration.termination,
        benefits_end=last_day,
        cause=declaration.end_cause,
        by=by,
    )
    member_request.record(by=by, label=f"Portabilité terminée le {end:%d/%m/%Y}")


register_kind(K.PORTABILITY, on_accept=_declaration_accept)
register_kind(K.PORTABILITY_END, on_accept=_end_accept)
