"""« Contact & aide »: FAQ, the members' help line, the reply delay actually observed,
complaints and mediation, and the member's conversations with advisors."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from conversations.models import Conversation, ConversationAttachment, ConversationMessage
from conversations.services import (
    ACKNOWLEDGEMENT_WORKING_DAYS,
    ANSWER_MONTHS,
    conversation_member_reply,
    conversation_open,
    mediator,
    reply_delay_shown,
)
from mutuelle.uploads import serve_proof

from ..access import member_required
from ..forms.contact import ConversationForm, ReplyForm

FAQ = [
    (
        "Comment obtenir ma carte mutualiste ?",
        "Elle est dans « Mon contrat », bouton « Afficher ma carte mutualiste » : à l'écran "
        "ou en PDF. Une nouvelle carte est émise chaque année et à chaque changement de "
        "bénéficiaires.",
    ),
    (
        "Comment obtenir une attestation d'appartenance ?",
        "Dans « Mes documents », bouton « Mes attestations » : l'attestation est datée du "
        "jour et téléchargée aussitôt.",
    ),
    (
        "Quand suis-je remboursé(e) ?",
        "Avec la télétransmission, la Sécurité sociale nous transmet vos soins : le "
        "remboursement de la mutuelle suit en général sous quelques jours. Il apparaît dans "
        "« Mes remboursements ».",
    ),
    (
        "Comment ajouter un bénéficiaire ou changer de RIB ?",
        "Depuis « Mes demandes », avec les justificatifs demandés ; vous suivez ensuite "
        "votre demande au même endroit.",
    ),
    (
        "Comment consulter mes garanties ?",
        "Dans « Mon contrat », lien « Afficher les garanties de remboursement » : le tableau "
        "par domaine de soins, et sa version PDF.",
    ),
]


def _mine(request):
    return Conversation.objects.of_member(request.user)


@member_required
def contact(request, enrolment):
    conversations = _mine(request).only(
        "pk", "subject", "topic", "status", "last_message_at", "is_complaint", "answer_due"
    )
    return render(
        request,
        "member_portal/space/contact.html",
        {
            "enrolment": enrolment,
            "faq": FAQ,
            "conversations": conversations,
            "reply_delay": reply_delay_shown(),
            "help_hours": settings.MEMBER_CONTACT["help_hours"],
            "mediator": mediator(),
            "acknowledgement_days": ACKNOWLEDGEMENT_WORKING_DAYS,
            "answer_months": ANSWER_MONTHS,
        },
    )


def _apply_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@member_required
@require_http_methods(["GET", "POST"])
def conversation_new(request, enrolment):
    if request.method == "POST":
        form = ConversationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                conversation = conversation_open(
                    enrolment=enrolment,
                    by=request.user,
                    topic=data["topic"],
                    subject=data["subject"],
                    body=data["body"],
                    attachments=data["attachments"],
                    submission_key=data["submission_key"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    "Votre réclamation est enregistrée : l'accusé de réception est ci-dessous."
                    if conversation.is_complaint
                    else "Votre message est envoyé à un conseiller.",
                )
                return redirect("member_portal:conversation", pk=conversation.pk)
    else:
        initial = {"submission_key": uuid.uuid4().hex}
        if request.GET.get("sujet"):
            initial["topic"] = request.GET["sujet"]
        form = ConversationForm(initial=initial)
    return render(
        request,
        "member_portal/space/conversation_new.html",
        {"enrolment": enrolment, "form": form, "reply_delay": reply_delay_shown()},
    )


@member_required
@require_http_methods(["GET", "POST"])
def conversation(request, enrolment, pk: int):
    item = get_object_or_404(
        _mine(request).prefetch_related(
            Prefetch(
                "messages",
                queryset=ConversationMessage.objects.prefetch_related("attachments"),
            )
        ),
        pk=pk,
    )
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation_member_reply(
                conversation=item,
                by=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Votre message est envoyé.")
            return redirect("member_portal:conversation", pk=item.pk)
    return render(
        request,
        "member_portal/space/conversation.html",
        {"enrolment": enrolment, "conversation": item, "form": form},
    )


@member_required
def conversation_attachment(request, enrolment, pk: int, attachment_pk: int):
    attachment = get_object_or_404(
        ConversationAttachment.objects.of_member(request.user),
        pk=attachment_pk,
        message__conversation_id=pk,
    )
    return serve_proof(attachment)
