"""Conversations between a member and the mutuelle's advisors (« Contacter un
conseiller »), complaints included.

A complaint (topic « Réclamation ») follows ACPR recommendation 2024-R-02: it is
acknowledged at once (at the latest within 10 working days), answered within two
months of its receipt, and the answer names the mediator. Both deadlines are stored
when the complaint arrives so that the back-office queue can sort and flag them.
Messages are never shown to the employer: the queryset has no path from a company.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from enrolment.exceptions import InvalidTransition
from enrolment.models import Enrolment

from .enums import Author, ConversationStatus, Topic

S = ConversationStatus
# The one table of allowed conversation transitions.
CONVERSATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_ADVISOR: frozenset({S.ANSWERED, S.CLOSED}),
    S.ANSWERED: frozenset({S.AWAITING_ADVISOR, S.CLOSED}),
    S.CLOSED: frozenset({S.AWAITING_ADVISOR}),
}


class ConversationQuerySet(models.QuerySet):
    def of_member(self, user) -> "ConversationQuerySet":
        """Only the user's own conversations (a correspondent gets nothing)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrolment__employee__user=user)


class Conversation(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="affiliation",
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    topic = models.CharField("sujet", max_length=20, choices=Topic.choices)
    subject = models.CharField("objet", max_length=150)
    status = models.CharField(
        "statut", max_length=20, choices=ConversationStatus.choices, default=S.AWAITING_ADVISOR
    )
    is_complaint = models.BooleanField("réclamation", default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ouverte par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("reçue le", default=timezone.now)
    # When the member's last unanswered message arrived: the queue's order.
    awaiting_since = models.DateTimeField("en attente depuis", null=True, blank=True)
    last_message_at = models.DateTimeField("dernier message le", default=timezone.now)
    first_reply_at = models.DateTimeField("première réponse le", null=True, blank=True)
    acknowledged_at = models.DateTimeField("accusé de réception le", null=True, blank=True)
    acknowledgement_due = models.DateField("accusé de réception dû le", null=True, blank=True)
    answer_due = models.DateField("réponse due le", null=True, blank=True)
    answered_at = models.DateTimeField("réponse à la réclamation le", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    submission_key = models.CharField("clé d'envoi", max_length=64, blank=True, editable=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = "message adhérent"
        verbose_name_plural = "messages adhérents"
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["status", "awaiting_since"], name="conversation_queue"),
            models.Index(fields=["enrolment", "-last_message_at"], name="conversation_member"),
            models.Index(fields=["created_at"], name="conversation_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "submission_key"],
                condition=~Q(submission_key=""),
                name="unique_conversation_submission",
            ),
            models.CheckConstraint(
                condition=Q(is_complaint=False)
                | (Q(acknowledgement_due__isnull=False) & Q(answer_due__isnull=False)),
                name="complaint_has_deadlines",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_topic_display()})"

    def save(self, *args, **kwargs):
        self.is_complaint = self.topic == Topic.COMPLAINT
        super().save(*args, **kwargs)

    def _move(self, to_status: str, *, at) -> None:
        if to_status not in CONVERSATION_TRANSITIONS[self.status]:
            raise InvalidTransition(self, to_status)
        self.status = to_status
        self.awaiting_since = at if to_status == S.AWAITING_ADVISOR else None
        self.closed_at = at if to_status == S.CLOSED else None

    def add_message(self, *, author: str, by, body: str) -> "ConversationMessage":
        """Write a message and move the conversation accordingly: the member's message
        puts it back in the advisors' queue, an advisor's answers it."""
        now = timezone.now()
        if author == Author.MEMBER and self.status != S.AWAITING_ADVISOR:
            self._move(S.AWAITING_ADVISOR, at=now)
        elif author == Author.ADVISOR:
            if self.status == S.AWAITING_ADVISOR:
                self._move(S.ANSWERED, at=now)
            if self.first_reply_at is None:
                self.first_reply_at = now
            if self.is_complaint and self.answered_at is None:
                self.answered_at = now
        self.last_message_at = now
        self.save()
        return ConversationMessage.objects.create(
            conversation=self, author=author, author_user=by, body=body, created_at=now
        )

    def close(self) -> None:
        self._move(S.CLOSED, at=timezone.now())
        self.save()

    def acknowledgement_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.is_complaint and self.acknowledged_at is None and today > self.acknowledgement_due
        )

    def answer_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.is_complaint and self.answered_at is None and today > self.answer_due)


class ConversationMessage(models.Model):
    conversation = models.ForeignKey(
        Conversation, verbose_name="conversation", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField("auteur", max_length=20, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="écrit par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_author_display()} — {self.created_at:%d/%m/%Y %H:%M}"


def attachment_upload_to(instance, filename: str) -> str:
    # The service already gave the file a random name; keep it under one folder.
    return f"conversations/pieces/{filename}"


class ConversationAttachmentQuerySet(models.QuerySet):
    def of_member(self, user) -> "ConversationAttachmentQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(message__conversation__enrolment__employee__user=user)


class ConversationAttachment(models.Model):
    message = models.ForeignKey(
        ConversationMessage,
        verbose_name="message",
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField("fichier", upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=120)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_at = models.DateTimeField("envoyé le", default=timezone.now)

    objects = ConversationAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Complaint(Conversation):
    """The complaints' queue in the back office: the same rows, filtered."""

    class Meta:
        proxy = True
        verbose_name = "réclamation"
        verbose_name_plural = "réclamations"
