from django import forms
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from enrolment.services.profile import PHONE_CONSENT
from enrolment.signature.membership_form import CONSENT_TEXTS
from mutuelle.validators import is_french_mobile

CONSENT_BOX = forms.CheckboxInput(attrs={"class": "consent-box"})


class ConsentForm(forms.Form):
    certify = forms.BooleanField(label=CONSENT_TEXTS["certify"], required=False, widget=CONSENT_BOX)
    contract_document = forms.BooleanField(
        label=CONSENT_TEXTS["contract_document"], required=False, widget=CONSENT_BOX
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("certify", "contract_document"):
            # Both boxes are needed to sign (checked in clean(), with its message).
            self.fields[name].is_required_mark = True

    def lock_until_viewed(self) -> None:
        """Boxes shown disabled: signature.js enables them once the form is read to the
        end (or its PDF opened)."""
        for name in ("certify", "contract_document"):
            self.fields[name].widget.attrs["disabled"] = True

    def clean(self):
        cleaned = super().clean()
        for name in ("certify", "contract_document"):
            if not cleaned.get(name):
                self.add_error(name, "Cochez cette case pour pouvoir signer.")
        return cleaned


class PhoneForm(forms.Form):
    """Another mobile at the signature step: the account password again, and the
    declaration that the number is the employee's (confirmed next by a code)."""

    required_css_class = "required"
    phone = PhoneNumberField(
        label="Nouveau numéro de mobile",
        region="FR",
        widget=RegionalPhoneNumberWidget(
            region="FR", attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
        error_messages={
            "required": "Saisissez votre numéro de mobile.",
            "invalid": "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.",
        },
        help_text="Un mobile français (06 ou 07) : un code vous y sera envoyé pour le confirmer, "
        "puis votre code de signature.",
    )
    password = forms.CharField(
        label="Mot de passe de votre espace",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe."},
        help_text="Par sécurité, changer de numéro au moment de signer demande votre mot de passe.",
    )
    own_phone = forms.BooleanField(
        label=PHONE_CONSENT["own_phone"],
        error_messages={"required": "Cochez cette case pour confirmer que ce numéro est le vôtre."},
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if not is_french_mobile(phone):
            raise forms.ValidationError(
                "Saisissez un numéro de mobile français commençant par 06 ou 07."
            )
        return phone


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Code reçu par SMS",
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Saisissez le code à 6 chiffres reçu par SMS.",
            "invalid": "Le code comporte exactement 6 chiffres.",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": "6",
                "pattern": "[0-9]{6}",
                "class": "code-input",
            }
        ),
    )
