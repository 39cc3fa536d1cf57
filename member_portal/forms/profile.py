"""« Mes informations personnelles »: address, mobile, personal e-mail, preferences."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from enrolment.models import Employee
from enrolment.services.activation import login_email_taken
from enrolment.services.profile import PHONE_CONSENT
from mutuelle.forms import form_mark_own_data

from .wizard import ADDRESS_LABELS, AddressMixin


class AddressForm(AddressMixin, forms.ModelForm):
    required_css_class = "required"
    prefix = "adresse"

    class Meta:
        model = Employee
        fields = [
            "address_number",
            "address_street",
            "address_building",
            "address_floor",
            "address_locality",
            "postal_code",
            "city",
            "country",
        ]
        labels = {
            **ADDRESS_LABELS,
            "address_floor": "Escalier, étage, appartement",
            "address_locality": "Lieu-dit ou boîte postale",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("address_street", "postal_code", "city"):
            self.fields[name].required = True
        form_mark_own_data(self)


class PhoneForm(forms.Form):
    required_css_class = "required"
    phone = PhoneNumberField(
        label="Nouveau numéro de mobile",
        region="FR",
        help_text="Un mobile français (06 ou 07) : un code vous y sera envoyé par SMS.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    own_phone = forms.BooleanField(
        label=PHONE_CONSENT["own_phone"],
        error_messages={"required": "Cochez cette case pour confirmer que ce numéro est le vôtre."},
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label="Code reçu par SMS",
        max_length=12,
        help_text="6 chiffres, valable 10 minutes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EmailForm(forms.Form):
    required_css_class = "required"
    prefix = "email"
    email = forms.EmailField(label="Nouvelle adresse e-mail", max_length=254)
    email_confirm = forms.EmailField(label="Confirmer l'adresse e-mail", max_length=254)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        email = (data.get("email") or "").strip().lower()
        confirm = (data.get("email_confirm") or "").strip().lower()
        if email and confirm and email != confirm:
            self.add_error("email_confirm", "Les deux adresses e-mail ne sont pas identiques.")
        elif email and email == self.user.email.lower():
            self.add_error("email", "C'est déjà votre adresse de connexion.")
        elif email and login_email_taken(email):
            self.add_error("email", "Cette adresse e-mail est déjà utilisée par un autre compte.")
        return data


class PreferencesForm(forms.ModelForm):
    prefix = "preferences"

    class Meta:
        model = Employee
        fields = ["paperless_mail", "reimbursement_alerts"]
        labels = {
            "paperless_mail": "E-courriers : je consulte mes relevés et la plupart de mes "
            "courriers en ligne, dans « Mes documents », au lieu de les recevoir par la poste",
            "reimbursement_alerts": "Recevoir un e-mail à chaque nouveau remboursement",
        }
        help_texts = {"paperless_mail": ""}
