from django import forms

from member_requests.enums import PortabilityEndCause
from mutuelle.forms import DateInput

from .requests import DocumentsMixin, SubmissionKeyMixin

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class PortabilityDeclarationForm(SubmissionKeyMixin, DocumentsMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_documents_field(
            label="Attestation France Travail d'ouverture de droits (ARE)", required=True
        )
        self.fields["documents"].error_messages["required"] = (
            "Joignez votre attestation France Travail (ARE)."
        )
        self._add_submission_key()


class PortabilityEndForm(SubmissionKeyMixin, forms.Form):
    cause = forms.ChoiceField(
        label="Ma situation",
        choices=PortabilityEndCause.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez votre situation."},
    )
    end_date = forms.DateField(
        label="Depuis le",
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={
            "required": "Indiquez la date.",
            "invalid": "Saisissez une date au format JJ/MM/AAAA.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_submission_key()
