"""« Contacter un conseiller »: a new message and a reply in a conversation. The
attachments are checked by the service (type from the content, size, count) so that
its messages sit next to the field."""

from django import forms
from django.conf import settings

from conversations.enums import Topic
from mutuelle.french import file_size
from mutuelle.uploads import ALLOWED_LABEL

from .dispensation import MultipleFileField


def _attachments_field() -> MultipleFileField:
    contact = settings.MEMBER_CONTACT
    return MultipleFileField(
        label="Pièces jointes (facultatif)",
        required=False,
        help_text=(
            f"Jusqu'à {contact['attachments_max']} fichiers {ALLOWED_LABEL}, "
            f"{file_size(contact['attachment_max_bytes'])} maximum chacun."
        ),
    )


class ConversationForm(forms.Form):
    topic = forms.ChoiceField(
        label="Sujet",
        choices=[("", "Choisissez un sujet"), *Topic.choices],
        error_messages={"required": "Choisissez le sujet de votre message."},
    )
    subject = forms.CharField(
        label="Objet",
        max_length=150,
        error_messages={"required": "Indiquez l'objet de votre message."},
    )
    body = forms.CharField(
        label="Votre message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Écrivez votre message."},
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Votre réponse",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez votre message."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
