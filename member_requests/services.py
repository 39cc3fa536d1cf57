"""The member-request workflow: submit, take up, ask for a complement, complete,
accept, refuse, withdraw.

Every operation locks the request, changes its state through the model's transition
table (which writes the history row), runs the kind's registered effect
(:mod:`member_requests.kinds`) in the same transaction, and e-mails the member after
commit through ``notification_send`` (one message per intent).
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from enrolment.exceptions import InvalidTransition
from enrolment.models import Enrolment
from mutuelle.enums import Channel
from mutuelle.models import User
from mutuelle.notifications import notification_send
from mutuelle.uploads import CheckedProof, check_uploads, run_with_files

from .enums import UNDECIDED_STATES, DocumentStage, MemberRequestStatus
from .kinds import effects_of, run_effects
from .models import MemberRequest, MemberRequestDocument

S = MemberRequestStatus


def check_documents(uploads: list[UploadedFile], *, already: int = 0) -> list[CheckedProof]:
    """Type (from the content), size and count of a request's files; one ValidationError
    on ``documents`` listing every problem."""
    return check_uploads(
        uploads,
        already=already,
        max_files=settings.MEMBER_REQUEST_MAX_FILES,
        max_bytes=settings.MEMBER_REQUEST_FILE_MAX_BYTES,
        field="documents",
    )


def _store_documents(
    member_request: MemberRequest,
    documents: Iterable[tuple[str, CheckedProof]],
    *,
    stage: str,
    by,
    stored: list[str],
) -> list[MemberRequestDocument]:
    created = []
    for label, checked in documents:
        record = MemberRequestDocument(
            request=member_request,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            label=label,
            stage=stage,
            uploaded_by=by,
        )
        checked.upload.seek(0)
        record.file.save(checked.storage_name, checked.upload, save=False)
        stored.append(record.file.name)
        record.save()
        created.append(record)
    return created


def _check_labelled(
    documents: Iterable[tuple[str, UploadedFile]], *, already: int = 0
) -> list[tuple[str, CheckedProof]]:
    documents = list(documents)
    checked = check_documents([upload for _, upload in documents], already=already)
    return [(label, proof) for (label, _), proof in zip(documents, checked, strict=True)]


def _notify(member_request: MemberRequest, *, intent: str, template: str, **extra) -> None:
    employee = member_request.enrolment.employee
    notification_send(
        key=f"member-request-{intent}:{member_request.pk}",
        channel=Channel.EMAIL,
        to=employee.contact_email,
        template=template,
        context={"member_request": member_request, "employee": employee, **extra},
    )


def _lock(member_request: MemberRequest) -> MemberRequest:
    return (
        MemberRequest.objects.select_for_update(of=("self",))
        .select_related("enrolment__employee__user", "enrolment__contract")
        .get(pk=member_request.pk)
    )


# --- member's operations ---------------------------------------------------------------


def member_request_submit(
    *,
    enrolment: Enrolment,
    kind: str,
    by: User,
    message: str = "",
    documents: Iterable[tuple[str, UploadedFile]] = (),
    submission_key: str = "",
    build_detail: Callable[[MemberRequest], object] | None = None,
) -> MemberRequest:
    """Send a request (« Envoyée »), its documents (label, file) and its detail, built
    by ``build_detail(member_request)`` in the same transaction. The same
    ``submission_key`` posted again returns the request already sent."""
    checked = _check_labelled(documents)

    def operation(stored: list[str]) -> MemberRequest:
        # Locking the enrolment serialises one member's submissions, so two posts of
        # the same form cannot both pass the duplicate check below.
        locked = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
        if submission_key:
            existing = MemberRequest.objects.filter(
                enrolment=locked, submission_key=submission_key
            ).first()
            if existing is not None:
                return existing
        member_request = MemberRequest.objects.create(
            enrolment=locked,
            kind=kind,
            message=message.strip(),
            submission_key=submission_key,
            submitted_by=by,
        )
        member_request.record_submission(by=by)
        if build_detail is not None:
            build_detail(member_request)
        _store_documents(member_request, checked, stage=DocumentStage.REQUEST, by=by, stored=stored)
        _notify(member_request, intent="received", template="member_request_received")
        return member_request

    return run_with_files(operation)


def member_request_complete(
    *,
    member_request: MemberRequest,
    by: User,
    message: str = "",
    documents: Iterable[tuple[str, UploadedFile]] = (),
) -> MemberRequest:
    """« Compléter ma demande »: a message and/or files; back to « En cours »."""
    documents = list(documents)
    if not message.strip() and not documents:
        raise ValidationError(
            {"message": "Écrivez un message ou joignez le document demandé pour compléter."}
        )

    def operation(stored: list[str]) -> MemberRequest:
        locked = _lock(member_request)
        if locked.status != S.AWAITING_COMPLEMENT:
            raise ValidationError("Cette demande n'attend pas de complément.")
        checked = _check_labelled(documents, already=locked.documents.count())
        _store_documents(locked, checked, stage=DocumentStage.COMPLEMENT, by=by, stored=stored)
        locked.complete(by=by, note=message.strip())
        return locked

    return run_with_files(operation)


def member_request_withdraw(*, member_request: MemberRequest, by: User) -> MemberRequest:
    """Withdrawn while nothing has been decided."""
    with transaction.atomic():
        locked = _lock(member_request)
        if locked.status not in UNDECIDED_STATES:
            raise ValidationError(
                "Cette demande est déjà traitée : elle ne peut plus être retirée."
            )
        run_effects(effects_of(locked.kind).on_withdraw, member_request=locked, by=by)
        locked.withdraw(by=by)
    return locked


# --- back office's operations ------------------------------------------------------------


def member_request_take_up(*, member_request: MemberRequest, by: User) -> MemberRequest:
    with transaction.atomic():
        locked = _lock(member_request)
        locked.take_up(by=by)
    return locked


def member_request_ask_complement(
    *, member_request: MemberRequest, by: User, message: str
) -> MemberRequest:
    message = message.strip()
    if not message:
        raise ValidationError({"message": "Indiquez le complément attendu."})
    with transaction.atomic():
        locked = _lock(member_request)
        event = locked.ask_complement(by=by, message=message)
        _notify(
            locked,
            intent=f"complement-{event.pk}",
            template="member_request_complement",
            message=message,
        )
    return locked


def member_request_accept(
    *, member_request: MemberRequest, by: User, note: str = ""
) -> MemberRequest:
    """Accepted: the kind's effect (cover the beneficiary, use the new account, end the
    portability…) runs in the same transaction."""
    with transaction.atomic():
        locked = _lock(member_request)
        if not locked.can_transition(S.ACCEPTED):
            raise InvalidTransition(locked, S.ACCEPTED)
        notes = run_effects(effects_of(locked.kind).on_accept, member_request=locked, by=by)
        note = "\n".join([note.strip(), *notes]).strip()
        locked.accept(by=by, note=note)
        _notify(locked, intent="accepted", template="member_request_accepted", note=note)
    return locked


def member_request_refuse(*, member_request: MemberRequest, by: User, reason: str) -> MemberRequest:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    with transaction.atomic():
        locked = _lock(member_request)
        if not locked.can_transition(S.REFUSED):
            raise InvalidTransition(locked, S.REFUSED)
        run_effects(effects_of(locked.kind).on_refuse, member_request=locked, by=by)
        locked.refuse(by=by, reason=reason)
        _notify(locked, intent="refused", template="member_request_refused", reason=reason)
    return locked
