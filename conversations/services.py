"""« Contacter un conseiller »: open a conversation, write in it, answer it (back
office), close it. Complaints get their acknowledgement at once and their deadlines."""

import datetime as dt
import math
import statistics
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from enrolment.models import Enrolment
from mutuelle.enums import Channel
from mutuelle.notifications import notification_send, render_plain_text
from mutuelle.uploads import CheckedProof, check_uploads, run_with_files
from mutuelle.working_days import add_working_days, working_days_between

from .enums import Author, Topic
from .models import Conversation, ConversationAttachment, ConversationMessage

# ACPR 2024-R-02: acknowledge within 10 working days, answer within 2 months.
ACKNOWLEDGEMENT_WORKING_DAYS = 10
ANSWER_MONTHS = 2
# Window of the reply delay shown to members.
REPLY_DELAY_WINDOW_DAYS = 30
REPLY_DELAY_CACHE_KEY = "conversations:reply-delay"
REPLY_DELAY_CACHE_SECONDS = 600


def check_attachments(
    uploads: list[UploadedFile], *, field: str = "attachments"
) -> list[CheckedProof]:
    """Up to ``CONTACT_MAX_ATTACHMENTS`` files per message, type read from the content."""
    return check_uploads(
        uploads,
        already=0,
        max_files=settings.MEMBER_CONTACT["attachments_max"],
        max_bytes=settings.MEMBER_CONTACT["attachment_max_bytes"],
        field=field,
    )


def _store(message: ConversationMessage, checked: Iterable[CheckedProof], stored: list[str]):
    for proof in checked:
        attachment = ConversationAttachment(
            message=message,
            original_name=proof.original_name,
            content_type=proof.content_type,
            size=proof.size,
        )
        proof.upload.seek(0)
        attachment.file.save(proof.storage_name, proof.upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()


def mediator() -> dict:
    contact = settings.MEMBER_CONTACT
    return {
        "name": contact["mediator_name"],
        "address": contact["mediator_address"],
        "url": contact["mediator_url"],
    }


def _email(conversation: Conversation, *, intent: str, template: str, **extra) -> None:
    employee = conversation.enrolment.employee
    notification_send(
        key=f"conversation-{intent}",
        channel=Channel.EMAIL,
        to=employee.contact_email,
        template=template,
        context={"conversation": conversation, "employee": employee, **extra},
    )


def conversation_open(
    *,
    enrolment: Enrolment,
    by,
    topic: str,
    subject: str,
    body: str,
    attachments: list[UploadedFile] = (),
    submission_key: str = "",
) -> Conversation:
    """The member writes to an advisor. A complaint is acknowledged at once, in the
    conversation and by e-mail, with its answer deadline and the mediator's contact.
    The same ``submission_key`` posted twice opens one conversation."""
    checked = check_attachments(list(attachments))

    def operation(stored: list[str]) -> Conversation:
        locked = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
        if submission_key:
            existing = Conversation.objects.filter(
                enrolment=locked, submission_key=submission_key
            ).first()
            if existing is not None:
                return existing
        now = timezone.now()
        today = timezone.localdate(now)
        conversation = Conversation(
            enrolment=locked,
            topic=topic,
            subject=subject.strip(),
            created_by=by,
            created_at=now,
            awaiting_since=now,
            last_message_at=now,
            submission_key=submission_key,
        )
        if topic == Topic.COMPLAINT:
            conversation.acknowledgement_due = add_working_days(today, ACKNOWLEDGEMENT_WORKING_DAYS)
            conversation.answer_due = today + relativedelta(months=ANSWER_MONTHS)
        conversation.save()
        message = ConversationMessage.objects.create(
            conversation=conversation,
            author=Author.MEMBER,
            author_user=by,
            body=body.strip(),
            created_at=now,
        )
        _store(message, checked, stored)
        if conversation.is_complaint:
            _acknowledge(conversation)
        return conversation

    return run_with_files(operation)


def _acknowledge(conversation: Conversation) -> None:
    context = {"conversation": conversation, "mediator": mediator(), "mutuelle": settings.MUTUELLE}
    ConversationMessage.objects.create(
        conversation=conversation,
        author=Author.SYSTEM,
        body=render_plain_text("conversations/complaint_acknowledgement.txt", context).strip(),
    )
    conversation.acknowledged_at = timezone.now()
    conversation.save(update_fields=["acknowledged_at"])
    _email(
        conversation,
        intent=f"acknowledged:{conversation.pk}",
        template="complaint_acknowledged",
        mediator=mediator(),
    )


def conversation_member_reply(
    *, conversation: Conversation, by, body: str, attachments: list[UploadedFile] = ()
) -> ConversationMessage:
    """The member writes again: the conversation goes back to the advisors' queue."""
    checked = check_attachments(list(attachments))

    def operation(stored: list[str]) -> ConversationMessage:
        locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
        message = locked.add_message(author=Author.MEMBER, by=by, body=body.strip())
        _store(message, checked, stored)
        return message

    return run_with_files(operation)


def conversation_answer(*, conversation: Conversation, by, body: str) -> ConversationMessage:
    """An advisor answers. The e-mail to the member says only that an answer waits in
    the space (no content by e-mail). A complaint's answer names the mediator."""
    body = body.strip()
    if not body:
        raise ValueError("An answer needs a text.")
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("enrolment__employee__user")
            .get(pk=conversation.pk)
        )
        if locked.is_complaint:
            body += (
                "\n\n"
                + render_plain_text(
                    "conversations/complaint_mediation.txt", {"mediator": mediator()}
                ).strip()
            )
        message = locked.add_message(author=Author.ADVISOR, by=by, body=body)
        _email(locked, intent=f"answered:{message.pk}", template="conversation_answered")
    return message


def conversation_close(*, conversation: Conversation, by) -> Conversation:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
        locked.close()
    return locked


def reply_delay_shown() -> int | None:
    """The delay the pages show, recomputed at most every 10 minutes (it reads a month
    of conversations; every member page view must not)."""
    cached = cache.get(REPLY_DELAY_CACHE_KEY, "missing")
    if cached == "missing":
        cached = reply_delay_working_days()
        cache.set(REPLY_DELAY_CACHE_KEY, cached, REPLY_DELAY_CACHE_SECONDS)
    return cached


def reply_delay_working_days(*, now: dt.datetime | None = None) -> int | None:
    """Median first-reply delay, in working days, of the conversations opened in the
    last 30 days and answered; None when there is none (nothing is made up)."""
    now = now or timezone.now()
    pairs = Conversation.objects.filter(
        created_at__gte=now - dt.timedelta(days=REPLY_DELAY_WINDOW_DAYS),
        first_reply_at__isnull=False,
    ).values_list("created_at", "first_reply_at")
    delays = [
        working_days_between(timezone.localdate(created), timezone.localdate(replied))
        for created, replied in pairs
    ]
    if not delays:
        return None
    return math.ceil(statistics.median(delays))
