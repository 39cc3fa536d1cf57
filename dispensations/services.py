"""The dispensation workflow: submit, complete, withdraw, ask for a complement, accept,
refuse, end, and the yearly re-justification.

Every operation locks the dispensation (or the enrolment), checks the rules of the case
catalogue, changes the state through the model's transition table and queues its
messages, which ``notification_send`` delivers after commit. Files are written to the
private storage inside the operation and deleted again if it fails, so a failed upload
leaves the request as it was.
"""

import datetime as dt
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, RequestStatus, RequestType
from enrolment.models import Enrolment, Request, RequestEvent
from enrolment.services.correspondents import (
    correspondents_notify,
    correspondents_tell_processed,
)
from enrolment.services.invitation import (
    DEADLINE_PASSED,
    invitation_link_issue,
    invitation_message_context,
)
from mutuelle.enums import Channel
from mutuelle.french import gendered
from mutuelle.models import User
from mutuelle.notifications import Notification, notification_send, notification_send_many
from mutuelle.pages import page_url
from mutuelle.uploads import run_with_files

from .cases import CASES_BY_CODE, DispensationCase, cases_open_for, check_case_rules
from .enums import UNDECIDED_STATES, DispensationStatus, ProofKind
from .files import CheckedProof, check_proofs
from .models import Dispensation, DispensationProof

S = DispensationStatus
# Enrolment states from which the employee may ask to be dispensed: while enrolling, and
# as an active member for the cases without a time condition (D911-2 1° and 3° CSS).
DISPENSABLE_ENROLMENT_STATES = frozenset(
    {EnrolmentStatus.INVITED, EnrolmentStatus.IN_PROGRESS, EnrolmentStatus.ACTIVE}
)


# --- helpers -------------------------------------------------------------------------


def _notify_correspondents(dispensation: Dispensation, *, key: str, template: str, **extra):
    correspondents_notify(
        employee=dispensation.enrolment.employee,
        key=f"{key}:{dispensation.pk}",
        template=template,
        **extra,
    )


def _context(dispensation: Dispensation, **extra) -> dict:
    enrolment = dispensation.enrolment
    return {
        "dispensation": dispensation,
        "employee": enrolment.employee,
        "company": enrolment.employee.company,
        "case": dispensation.case_info,
        "tracking_url": page_url("member.dispensations"),
        **extra,
    }


def _notify_employee(dispensation: Dispensation, *, key: str, template: str, **extra) -> None:
    notification_send(
        key=key,
        channel=Channel.EMAIL,
        to=dispensation.enrolment.employee.contact_email,
        template=template,
        context=_context(dispensation, **extra),
    )


def _lock(dispensation: Dispensation) -> Dispensation:
    return (
        Dispensation.objects.select_for_update(of=("self",))
        .select_related("enrolment__employee__company", "enrolment__contract", "request")
        .get(pk=dispensation.pk)
    )


def _store_proofs(
    dispensation: Dispensation,
    proofs: Iterable[CheckedProof],
    *,
    kind: str,
    by,
    stored: list[str],
) -> list[DispensationProof]:
    created = []
    for proof in proofs:
        record = DispensationProof(
            dispensation=dispensation,
            original_name=proof.original_name,
            content_type=proof.content_type,
            size=proof.size,
            kind=kind,
            uploaded_by=by,
        )
        proof.upload.seek(0)
        record.file.save(proof.storage_name, proof.upload, save=False)
        stored.append(record.file.name)
        record.save()
        created.append(record)
    return created


def _reinvite(enrolment: Enrolment) -> str:
    """A fresh 60-day invitation clock (automatic reminders start again) and the link to
    send: a new single-use invitation link (earlier ones revoked), or the login page once
    the employee's account exists, as the invitation service does for its reminders."""
    now = timezone.now()
    enrolment.invited_at = now
    enrolment.expires_at = now + dt.timedelta(days=settings.INVITATION_VALIDITY_DAYS)
    enrolment.last_auto_reminder_day = 0
    enrolment.save(
        update_fields=["invited_at", "expires_at", "last_auto_reminder_day", "updated_at"]
    )
    return invitation_link_issue(enrolment)


def check_request(
    *,
    enrolment: Enrolment,
    case: DispensationCase,
    hire_date: dt.date | None,
    end_date: dt.date | None,
    insurer_name: str,
    proof_count: int,
) -> dict[str, str]:
    """All the rules of a request, as French messages per field (empty when valid)."""
    contract = enrolment.contract
    during_membership = enrolment.status == EnrolmentStatus.ACTIVE
    if case.code not in {
        c.code for c in cases_open_for(contract, during_membership=during_membership)
    }:
        if during_membership and case.code in {c.code for c in cases_open_for(contract)}:
            return {
                "case": "Ce motif ne peut être invoqué qu'à l'adhésion ou à l'embauche, pas en "
                "cours d'adhésion."
            }
        return {"case": "Ce motif de dispense n'est pas prévu par le contrat de votre entreprise."}
    errors = check_case_rules(
        case,
        contract=contract,
        hire_date=hire_date,
        end_date=end_date,
        insurer_name=insurer_name,
        today=timezone.localdate(),
    )
    if case.proof_required and proof_count == 0:
        errors["proofs"] = "Joignez le justificatif demandé pour ce motif."
    return errors


# --- employee's operations -----------------------------------------------------------


def dispensation_submit(
    *,
    enrolment: Enrolment,
    case_code: str,
    payroll_id: str,
    hire_date: dt.date,
    end_date: dt.date | None,
    insurer_name: str,
    sworn_statement: bool,
    files: list,
    by: User,
) -> Dispensation:
    case = CASES_BY_CODE.get(case_code)
    if case is None:
        raise ValidationError({"case": "Choisissez la situation qui justifie la dispense."})
    if not sworn_statement:
        raise ValidationError(
            {"sworn_statement": "Vous devez accepter la déclaration sur l'honneur."}
        )
    checked = check_proofs(files, already=0)

    def operation(stored: list[str]) -> Dispensation:
        locked = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("employee__company", "contract")
            .get(pk=enrolment.pk)
        )
        if not locked.contract.dispensation_enabled:
            raise ValidationError("La dispense en ligne n'est pas proposée pour ce contrat.")
        during_membership = locked.status == EnrolmentStatus.ACTIVE
        if locked.expires_at and locked.expires_at <= timezone.now() and not during_membership:
            raise ValidationError(DEADLINE_PASSED)
        if locked.status not in DISPENSABLE_ENROLMENT_STATES:
            raise ValidationError("Une dispense ne peut plus être demandée pour cette adhésion.")
        if during_membership and (
            Dispensation.objects.filter(enrolment=locked, status__in=UNDECIDED_STATES).exists()
            or locked.end_date is not None
        ):
            raise ValidationError(
                "Une demande est déjà en cours pour cette adhésion ou sa fin est programmée."
            )
        errors = check_request(
            enrolment=locked,
            case=case,
            hire_date=hire_date,
            end_date=end_date,
            insurer_name=insurer_name,
            proof_count=len(checked),
        )
        if errors:
            raise ValidationError(errors)
        employee = locked.employee
        now = timezone.now()
        request = Request.objects.create(
            company=employee.company,
            employee=employee,
            enrolment=locked,
            type=RequestType.DISPENSATION,
            status=RequestStatus.PROCESSING,
            created_by=by,
            created_at=now,
        )
        dispensation = Dispensation.objects.create(
            enrolment=locked,
            request=request,
            case=case.code,
            end_date=end_date if case.end_date_required else None,
            payroll_id=payroll_id.strip(),
            hire_date=hire_date,
            insurer_name=insurer_name.strip() if case.needs_insurer_name else "",
            sworn_statement_accepted_at=now,
            during_membership=during_membership,
            created_at=now,
        )
        insured = gendered(employee.civility, "l'assuré", "l'assurée")
        RequestEvent.objects.create(
            request=request,
            actor=by,
            at=now,
            label=f"Dispense demandée par {insured} {employee.full_name}",
            to_status=S.SUBMITTED,
        )
        _store_proofs(dispensation, checked, kind=ProofKind.REQUEST, by=by, stored=stored)
        if not during_membership:
            # An active member stays covered while the request is examined.
            locked.request_dispensation(by=by)
        _notify_employee(
            dispensation,
            key=f"dispensation-received:{dispensation.pk}",
            template="dispensation_received",
        )
        return dispensation

    return run_with_files(operation)


def dispensation_complete(
    *,
    dispensation: Dispensation,
    by: User,
    files: list,
    payroll_id: str,
    hire_date: dt.date,
    end_date: dt.date | None,
    insurer_name: str,
) -> Dispensation:
    """The employee adds the missing proof or fixes the fields: back to « En cours »."""

    def operation(stored: list[str]) -> Dispensation:
        locked = _lock(dispensation)
        if locked.status != S.AWAITING_COMPLEMENT:
            raise ValidationError("Cette demande n'attend pas de complément.")
        checked = check_proofs(files, already=locked.proofs.exclude(kind=ProofKind.YEARLY).count())
        case = locked.case_info
        new_end = end_date if case.end_date_required else None
        new_insurer = insurer_name.strip() if case.needs_insurer_name else ""
        changed = (
            bool(checked)
            or payroll_id.strip() != locked.payroll_id
            or hire_date != locked.hire_date
            or new_end != locked.end_date
            or new_insurer != locked.insurer_name
        )
        if not changed:
            raise ValidationError(
                {"proofs": "Joignez le justificatif demandé ou corrigez les informations."}
            )
        errors = check_case_rules(
            case,
            contract=locked.enrolment.contract,
            hire_date=hire_date,
            end_date=new_end,
            insurer_name=new_insurer,
            today=timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)
        locked.payroll_id = payroll_id.strip()
        locked.hire_date = hire_date
        locked.end_date = new_end
        locked.insurer_name = new_insurer
        locked.save(update_fields=["payroll_id", "hire_date", "end_date", "insurer_name"])
        _store_proofs(locked, checked, kind=ProofKind.COMPLEMENT, by=by, stored=stored)
        locked.complete(by=by)
        return locked

    return run_with_files(operation)


def dispensation_withdraw(*, dispensation: Dispensation, by: User) -> Dispensation:
    """Withdrawn while undecided: the employee enrols instead (adhésion en cours)."""
    with transaction.atomic():
        locked = _lock(dispensation)
        if locked.status not in UNDECIDED_STATES:
            raise ValidationError(
                "Cette demande est déjà traitée : elle ne peut plus être retirée."
            )
        enrolment = locked.enrolment
        if enrolment.expires_at and not locked.during_membership:
            # The time spent waiting for the back office does not count against the
            # employee's 60 days to enrol.
            enrolment.expires_at += timezone.now() - locked.created_at
            enrolment.save(update_fields=["expires_at", "updated_at"])
        locked.withdraw(by=by)
    return locked


def dispensation_rejustify(*, dispensation: Dispensation, by: User, files: list) -> Dispensation:
    """The yearly proof of a dispensation still in force: the next one is due a year on."""

    def operation(stored: list[str]) -> Dispensation:
        locked = _lock(dispensation)
        if not can_rejustify(locked):
            raise ValidationError("Aucun justificatif annuel n'est attendu pour cette dispense.")
        if not files:
            raise ValidationError({"proofs": "Joignez le justificatif annuel demandé."})
        checked = check_proofs(files, already=0)
        _store_proofs(locked, checked, kind=ProofKind.YEARLY, by=by, stored=stored)
        base = max(locked.rejustify_by, timezone.localdate())
        locked.rejustify_by = base + relativedelta(years=1)
        locked.save(update_fields=["rejustify_by", "updated_at"])
        RequestEvent.objects.create(
            request=locked.request,
            actor=by,
            label="Justificatif annuel transmis",
            from_status=locked.status,
            to_status=locked.status,
            visible_to_employer=False,
        )
        return locked

    return run_with_files(operation)


def can_rejustify(dispensation: Dispensation) -> bool:
    return (
        dispensation.status == S.ACCEPTED
        and dispensation.rejustify_by is not None
        and dispensation.rejustification_requested_for == dispensation.rejustify_by
    )


# --- back office's operations ----------------------------------------------------------


def dispensation_ask_complement(*, dispensation: Dispensation, by: User, message: str) -> None:
    message = message.strip()
    if not message:
        raise ValidationError({"message": "Indiquez le complément attendu."})
    with transaction.atomic():
        locked = _lock(dispensation)
        event = locked.ask_complement(by=by, message=message)
        _notify_employee(
            locked,
            key=f"dispensation-complement:{locked.pk}:{event.pk}",
            template="dispensation_complement",
            message=message,
            complete_url=page_url("member.dispensation_complete", locked.pk),
        )


def dispensation_accept(*, dispensation: Dispensation, by: User) -> None:
    """Accepted: the employee is told; for a short fixed-term contract the company is
    told it owes the employee the « versement santé » (art. L911-7-1 CSS), without the
    case's details."""
    with transaction.atomic():
        locked = _lock(dispensation)
        locked.accept(by=by)
        _notify_employee(
            locked, key=f"dispensation-accepted:{locked.pk}", template="dispensation_accepted"
        )
        if locked.case_info.versement_sante:
            # This e-mail tells the company the decision and what it owes the employee.
            _notify_correspondents(
                locked, key="versement-sante", template="versement_sante_employer"
            )
        else:
            correspondents_tell_processed(
                employee=locked.enrolment.employee,
                key=f"employer-dispensation-accepted:{locked.pk}",
                decision="dispensation_accepted",
            )


def dispensation_refuse(*, dispensation: Dispensation, by: User, reason: str) -> None:
    """Refused: the employee is told why and invited to enrol with a renewed link."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    with transaction.atomic():
        locked = _lock(dispensation)
        locked.refuse(by=by, reason=reason)
        link = _reinvite(locked.enrolment)
        _notify_employee(
            locked,
            key=f"dispensation-refused:{locked.pk}",
            template="dispensation_refused",
            reason=reason,
            **invitation_message_context(locked.enrolment, link),
        )
        # The reason may quote the employee's situation: the company learns the outcome only.
        correspondents_tell_processed(
            employee=locked.enrolment.employee,
            key=f"employer-dispensation-refused:{locked.pk}",
            decision="dispensation_refused",
        )


# --- periodic jobs -------------------------------------------------------------------------


def dispensation_end(*, dispensation: Dispensation) -> bool:
    """The end date is reached: the dispensation ends, the enrolment reopens with a
    fresh invitation and the company's correspondents are told."""
    with transaction.atomic():
        locked = _lock(dispensation)
        today = timezone.localdate()
        if locked.status != S.ACCEPTED or locked.end_date is None or locked.end_date > today:
            return False
        locked.end()
        enrolment = locked.enrolment
        if enrolment.status == EnrolmentStatus.ACTIVE:
            # Asked during membership and ended before taking effect: still covered.
            return True
        link = _reinvite(enrolment)
        _notify_employee(
            locked,
            key=f"dispensation-ended:{locked.pk}",
            template="dispensation_ended",
            **invitation_message_context(enrolment, link),
        )
        _notify_correspondents(
            locked,
            key="dispensation-ended-employer",
            template="dispensation_ended_employer",
            end_date=locked.end_date,
        )
    return True


def dispensations_remind_end(*, today: dt.date) -> int:
    """Employees whose dispensation ends within the notice are told once per end date
    (one bulk insert into the outbox; keys already there are skipped)."""
    horizon = today + dt.timedelta(days=settings.DISPENSATION_END_REMINDER_DAYS)
    due = Dispensation.objects.filter(
        status=S.ACCEPTED, end_date__gt=today, end_date__lte=horizon
    ).select_related("enrolment__employee__company", "enrolment__employee__user", "request")
    notifications = (
        Notification(
            key=f"dispensation-end-reminder:{d.pk}:{d.end_date:%Y-%m-%d}",
            to=d.enrolment.employee.contact_email,
            context=_context(d),
        )
        for d in due.iterator(chunk_size=1000)
    )
    return len(
        notification_send_many(
            channel=Channel.EMAIL,
            template="dispensation_end_reminder",
            notifications=notifications,
        )
    )


def dispensations_start_due(*, today: dt.date) -> int:
    """Dispensations accepted during membership take effect once the cover has run to
    its end date (the end of the month of acceptance). Idempotent."""
    due = Dispensation.objects.filter(
        status=S.ACCEPTED,
        during_membership=True,
        enrolment__status=EnrolmentStatus.ACTIVE,
        enrolment__end_date__lt=today,
    ).values_list("pk", flat=True)
    started = 0
    for pk in list(due):
        with transaction.atomic():
            locked = _lock(Dispensation(pk=pk))
            enrolment = Enrolment.objects.select_for_update().get(pk=locked.enrolment_id)
            if enrolment.status != EnrolmentStatus.ACTIVE:
                continue
            locked.enrolment = enrolment
            locked.start()
            started += 1
    return started


def dispensations_end_due(*, today: dt.date) -> int:
    due = Dispensation.objects.filter(status=S.ACCEPTED, end_date__lte=today)
    return sum(dispensation_end(dispensation=d) for d in due)


def dispensations_request_rejustification(*, today: dt.date) -> int:
    """Cases justified every year: ask for the new proof before the due date, once."""
    notice = dt.timedelta(days=settings.DISPENSATION_REJUSTIFICATION_NOTICE_DAYS)
    candidates = (
        Dispensation.objects.filter(
            status=S.ACCEPTED, rejustify_by__isnull=False, rejustify_by__lte=today + notice
        )
        .exclude(rejustification_requested_for=F("rejustify_by"))
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in candidates:
        with transaction.atomic():
            locked = _lock(Dispensation(pk=pk))
            if locked.rejustification_requested_for == locked.rejustify_by:
                continue
            locked.rejustification_requested_for = locked.rejustify_by
            locked.save(update_fields=["rejustification_requested_for", "updated_at"])
            RequestEvent.objects.create(
                request=locked.request,
                label="Justificatif annuel demandé",
                note=f"À transmettre avant le {locked.rejustify_by:%d/%m/%Y}.",
                from_status=locked.status,
                to_status=locked.status,
                visible_to_employer=False,
            )
            _notify_employee(
                locked,
                key=f"dispensation-rejustify:{locked.pk}:{locked.rejustify_by:%Y-%m-%d}",
                template="dispensation_rejustify",
                rejustify_url=page_url("member.dispensation_rejustify", locked.pk),
            )
            sent += 1
    return sent


def rejustification_overdue(queryset, *, today: dt.date):
    """Dispensations whose yearly proof did not arrive in time (admin filter)."""
    return queryset.filter(status=S.ACCEPTED, rejustify_by__lt=today)
