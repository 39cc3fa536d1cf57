"""Forms of « Modification de RIB » (cotisation, prestation) and of the new mandate's
signature. The IBAN and BIC checks are the services' (``check_bank_details``)."""

from django import forms

from member_requests.bank import MANDATE_CONSENT, check_bank_details

from .requests import DocumentsMixin, SubmissionKeyMixin


class BankAccountForm(SubmissionKeyMixin, DocumentsMixin, forms.Form):
    holder = forms.CharField(
        label="Titulaire du compte",
        max_length=70,
        error_messages={"required": "Indiquez le titulaire du compte."},
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=42,
        help_text="Par exemple FR76 3000 6000 0112 3456 7890 189.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Saisissez l'IBAN du compte."},
    )
    bic = forms.CharField(
        label="BIC",
        max_length=11,
        help_text="8 ou 11 caractères, sur votre RIB.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Saisissez le BIC du compte."},
    )

    def __init__(self, *args, beneficiaries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if beneficiaries is not None:
            choices = [("", "Moi-même (adhérent)")] + [
                (str(b.pk), f"{b.first_name} {b.last_name} ({b.get_relationship_display()})")
                for b in beneficiaries
            ]
            self.fields = {
                "beneficiary": forms.ChoiceField(
                    label="Remboursements de", choices=choices, required=False
                ),
                **self.fields,
            }
        self._add_documents_field(label="RIB du nouveau compte", required=True)
        self.fields["documents"].error_messages["required"] = "Joignez le RIB du nouveau compte."
        self._add_submission_key()

    def clean(self):
        data = super().clean()
        if {"holder", "iban", "bic"} <= set(data):
            for name, message in check_bank_details(
                holder=data["holder"], iban=data["iban"], bic=data["bic"]
            ).items():
                self.add_error(name, message)
        return data


class MandateSignForm(forms.Form):
    """The authorisation ticked; the code goes to the mobile on record."""

    mandate = forms.BooleanField(label=MANDATE_CONSENT["mandate"], required=False)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_mandate(self):
        if not self.cleaned_data.get("mandate"):
            raise forms.ValidationError("Cochez cette case pour signer le mandat.")
        return True
