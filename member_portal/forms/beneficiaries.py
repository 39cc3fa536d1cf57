"""« Adjonction de bénéficiaire » (the wizard's beneficiary form, the same rules, plus
the documents) and the removal of a beneficiary."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from enrolment.enums import Relationship
from member_requests.beneficiaries import (
    BIRTH_CERTIFICATE,
    UNION_PROOF,
    VITALE,
    addition_effective_date,
)
from member_requests.enums import RemovalReason
from member_requests.services import check_documents
from mutuelle.french import file_size
from mutuelle.uploads import ALLOWED_LABEL

from .requests import SubmissionKeyMixin
from .wizard import BeneficiaryForm

FILE_HELP = f"{ALLOWED_LABEL}, {{size}} maximum."


def _file_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=FILE_HELP.format(size=file_size(settings.MEMBER_REQUEST_FILE_MAX_BYTES)),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class BeneficiaryAddForm(SubmissionKeyMixin, BeneficiaryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vitale"] = _file_field(VITALE)
        self.fields["birth_certificate"] = _file_field(f"{BIRTH_CERTIFICATE} (enfant)")
        self.fields["union_proof"] = _file_field(
            "Attestation de PACS ou justificatif de concubinage"
        )
        self._add_submission_key()

    def clean(self):
        data = self.cleaned_data
        if data.get("relationship") and data.get("birth_date"):
            self.rules_on = addition_effective_date(
                enrolment=self.enrolment,
                relationship=data["relationship"],
                birth_date=data["birth_date"],
                today=timezone.localdate(),
            )
        data = super().clean()
        needed = {"vitale": "Joignez l'attestation de droits (carte Vitale)."}
        if data.get("relationship") == Relationship.CHILD:
            needed["birth_certificate"] = "Joignez l'extrait d'acte de naissance de l'enfant."
        elif data.get("spouse_kind") in UNION_PROOF:
            needed["union_proof"] = f"Joignez : {UNION_PROOF[data['spouse_kind']].lower()}."
        for name, message in needed.items():
            if not data.get(name):
                self.add_error(name, message)
        for name in ("vitale", "birth_certificate", "union_proof"):
            upload = data.get(name)
            if upload:
                try:
                    check_documents([upload])
                except ValidationError as error:
                    self.add_error(name, error.message_dict["documents"])
        return data

    def documents(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        labels = {"vitale": VITALE, "birth_certificate": BIRTH_CERTIFICATE}
        if data.get("spouse_kind") in UNION_PROOF:
            labels["union_proof"] = UNION_PROOF[data["spouse_kind"]]
        return [(label, data[name]) for name, label in labels.items() if data.get(name)]


class BeneficiaryRemoveForm(SubmissionKeyMixin, forms.Form):
    beneficiary = forms.ChoiceField(
        label="Bénéficiaire à retirer",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le bénéficiaire."},
    )
    reason = forms.ChoiceField(
        label="Motif",
        choices=RemovalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le motif du retrait."},
    )

    def __init__(self, *args, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = [
            (str(b.pk), f"{b.first_name} {b.last_name} ({b.get_relationship_display()})")
            for b in beneficiaries
        ]
        self._add_submission_key()
