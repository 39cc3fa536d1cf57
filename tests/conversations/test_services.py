import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from conversations.enums import Author, ConversationStatus, Topic
from conversations.models import Conversation, ConversationAttachment
from conversations.services import (
    conversation_answer,
    conversation_close,
    conversation_member_reply,
    conversation_open,
    reply_delay_working_days,
)
from mutuelle.models import OutboxMessage
from mutuelle.working_days import add_working_days, working_days_between
from tests.mutuelle.factories import UserFactory

from .factories import fake_pdf_upload, member_enrolment, pdf_upload

pytestmark = pytest.mark.django_db


def open_conversation(enrolment, topic=Topic.REIMBURSEMENTS, **kwargs):
    return conversation_open(
        enrolment=enrolment,
        by=enrolment.employee.user,
        topic=topic,
        subject="Remboursement de lunettes",
        body="Bonjour, où en est mon remboursement ?",
        **kwargs,
    )


def test_working_days_skip_weekends_and_public_holidays():
    # Friday 7 May 2027 + 1 working day: Saturday 8 May (holiday) and Sunday skipped.
    assert add_working_days(dt.date(2027, 5, 7), 1) == dt.date(2027, 5, 10)
    # 2026: Easter Monday is 6 April.
    assert working_days_between(dt.date(2026, 4, 3), dt.date(2026, 4, 7)) == 1
    assert working_days_between(dt.date(2026, 4, 3), dt.date(2026, 4, 3)) == 0


def test_open_stores_checked_attachments_and_waits_for_an_advisor(
    django_capture_on_commit_callbacks,
):
    enrolment = member_enrolment()
    with django_capture_on_commit_callbacks(execute=True):
        conversation = open_conversation(enrolment, attachments=[pdf_upload("facture.pdf")])
    assert conversation.status == ConversationStatus.AWAITING_ADVISOR
    attachment = ConversationAttachment.objects.get()
    assert (
        attachment.content_type == "application/pdf" and attachment.original_name == "facture.pdf"
    )
    assert attachment.file.name.startswith("conversations/pieces/")
    assert not conversation.is_complaint and conversation.answer_due is None
    assert not OutboxMessage.objects.exists()


def test_attachments_are_checked_by_content_and_counted():
    enrolment = member_enrolment()
    with pytest.raises(ValidationError) as error:
        open_conversation(
            enrolment, attachments=[fake_pdf_upload(), *(pdf_upload() for _ in range(3))]
        )
    text = " ".join(error.value.message_dict["attachments"])
    assert "3 fichiers" in text and "virus.pdf" in text
    assert not Conversation.objects.exists() and not ConversationAttachment.objects.exists()


def test_same_submission_opens_one_conversation():
    enrolment = member_enrolment()
    first = open_conversation(enrolment, submission_key="k1")
    assert open_conversation(enrolment, submission_key="k1") == first
    assert Conversation.objects.count() == 1


def test_answer_emails_only_that_an_answer_waits(django_capture_on_commit_callbacks):
    enrolment = member_enrolment()
    conversation = open_conversation(enrolment)
    advisor = UserFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_answer(conversation=conversation, by=advisor, body="Le virement part demain.")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED and conversation.first_reply_at
    mail = OutboxMessage.objects.get()
    assert mail.recipient == enrolment.employee.contact_email
    assert "virement" not in mail.body_text and "a répondu" in mail.body_text
    conversation_member_reply(conversation=conversation, by=enrolment.employee.user, body="Merci")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.AWAITING_ADVISOR
    conversation_close(conversation=conversation, by=advisor)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED


@time_machine.travel(dt.datetime(2026, 12, 18, 9, 0))
def test_complaint_is_acknowledged_at_once_with_its_deadlines_and_the_answer_names_the_mediator(
    django_capture_on_commit_callbacks,
):
    enrolment = member_enrolment()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = open_conversation(enrolment, topic=Topic.COMPLAINT)
    assert complaint.is_complaint and complaint.acknowledged_at is not None
    # 10 working days from Friday 18/12/2026, Christmas and New Year's Day excluded.
    assert complaint.acknowledgement_due == dt.date(2027, 1, 5)
    assert complaint.answer_due == dt.date(2027, 2, 18)
    ack = complaint.messages.get(author=Author.SYSTEM)
    assert "18/02/2027" in ack.body and "Médiateur de la Mutualité Française" in ack.body
    assert OutboxMessage.objects.get().subject == "Votre réclamation a bien été reçue"
    with time_machine.travel(dt.datetime(2027, 2, 19, 9, 0)):
        assert complaint.answer_overdue() and not complaint.acknowledgement_overdue()
        with django_capture_on_commit_callbacks(execute=True):
            answer = conversation_answer(
                conversation=complaint, by=UserFactory(staff=True), body="Nous corrigeons."
            )
    assert "Médiateur de la Mutualité Française" in answer.body
    assert "255 rue de Vaugirard" in answer.body
    complaint.refresh_from_db()
    assert complaint.answered_at and not complaint.answer_overdue(dt.date(2027, 3, 1))


def test_reply_delay_is_the_median_over_30_days_in_working_days():
    enrolment = member_enrolment()
    advisor = UserFactory(staff=True)
    assert reply_delay_working_days() is None
    # Opened on Monday 2 Nov 2026, answered after 1, 2 and 4 working days.
    for answered_on in (
        dt.datetime(2026, 11, 3, 10),
        dt.datetime(2026, 11, 4, 10),
        dt.datetime(2026, 11, 6, 10),
    ):
        with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0)):
            conversation = open_conversation(enrolment)
        with time_machine.travel(answered_on):
            conversation_answer(conversation=conversation, by=advisor, body="Réponse")
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0)):
        assert reply_delay_working_days() == 2
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, 0)):
        assert reply_delay_working_days() is None
