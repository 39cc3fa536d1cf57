"""Forms of « Mes demandes » and « Faire une autre demande ». The services hold the
rules; these forms put every message next to its field in one pass."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from member_requests.services import check_documents
from mutuelle.french import file_size
from mutuelle.uploads import ALLOWED_LABEL

from .dispensation import MultipleFileField


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError, each message on its field (or at the top)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class SubmissionKeyMixin:
    """A random key carried by the form: the same form posted twice (double click,
    reload) finds the request already sent instead of sending another."""

    def _add_submission_key(self) -> None:
        self.fields["submission_key"] = forms.CharField(
            widget=forms.HiddenInput, initial=uuid.uuid4().hex, max_length=64
        )


class DocumentsMixin:
    already_attached = 0

    def _add_documents_field(self, *, label: str = "Pièces jointes", required: bool = False):
        remaining = max(0, settings.MEMBER_REQUEST_MAX_FILES - self.already_attached)
        self.fields["documents"] = MultipleFileField(
            label=label,
            required=required,
            help_text=(
                f"{ALLOWED_LABEL}, {file_size(settings.MEMBER_REQUEST_FILE_MAX_BYTES)} "
                f"maximum par fichier, {remaining} fichier(s) au plus."
            ),
            error_messages={"required": "Joignez au moins un document."},
        )

    def clean_documents(self):
        files = self.cleaned_data.get("documents") or []
        field = self.fields["documents"]
        if field.required and not files:
            raise ValidationError(field.error_messages["required"])
        try:
            check_documents(files, already=self.already_attached)
        except ValidationError as error:
            raise ValidationError(error.message_dict["documents"]) from error
        return files


class FreeMessageForm(SubmissionKeyMixin, DocumentsMixin, forms.Form):
    """« Autre demande »: anything the space does not offer directly."""

    message = forms.CharField(
        label="Votre demande",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Écrivez votre demande."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_documents_field()
        self._add_submission_key()


class CompleteForm(DocumentsMixin, forms.Form):
    message = forms.CharField(
        label="Votre message",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, already_attached: int = 0, **kwargs):
        self.already_attached = already_attached
        super().__init__(*args, **kwargs)
        self._add_documents_field(label="Documents demandés")

    def clean(self):
        data = super().clean()
        if not ({"message", "documents"} & set(self.errors)) and not (
            data.get("message", "").strip() or data.get("documents")
        ):
            self.add_error("documents", "Joignez le document demandé ou écrivez un message.")
        return data
