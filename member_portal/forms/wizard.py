"""Forms of the enrolment wizard. Rules live in the services (enrolment.services.*);
the forms put their messages next to the fields."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from enrolment.enums import Civility, Relationship
from enrolment.models import Beneficiary, Employee
from enrolment.services import wizard
from enrolment.services.activation import login_email_taken
from mutuelle.enums import DebitFrequency
from mutuelle.fields import keyed_hash
from mutuelle.forms import DateInput, form_add_rule_errors, form_mark_own_data
from mutuelle.validators import (
    bank_of_iban,
    is_french_mobile,
    normalize_iban,
    normalize_nir,
    validate_french_postal_code,
    validate_postal_address_line,
)

from .fields import YesNoField

ADDRESS_LABELS = {
    "address_number": "Numéro",
    "address_street": "Libellé de la voie",
    "address_building": "Complément d'adresse",
    "postal_code": "Code postal",
    "city": "Commune",
    "country": "Pays",
}


class AddressMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Letters, digits, spaces and ' - , . / only: the address is printed on letters.
        for name in ("address_number", "address_street", "address_building", "city", "country"):
            if name in self.fields:
                self.fields[name].validators.append(validate_postal_address_line)

    def clean_postal_code(self):
        value = (self.cleaned_data.get("postal_code") or "").strip()
        country = (self.data.get(self.add_prefix("country")) or "FRANCE").strip().upper()
        if value and country in {"", "FRANCE"}:
            validate_french_postal_code(value)
        return value

    def clean_country(self):
        return (self.cleaned_data.get("country") or "FRANCE").strip().upper()


class ProfileForm(AddressMixin, forms.ModelForm):
    required_css_class = "required"
    civility = forms.ChoiceField(
        label="Civilité", choices=Civility.choices, widget=forms.RadioSelect
    )
    phone = PhoneNumberField(
        label="Téléphone mobile",
        region="FR",
        required=False,
        help_text="06 ou 07. Votre code de signature sera envoyé à ce numéro ; un nouveau "
        "numéro est d'abord confirmé par un code reçu par SMS.",
    )
    alsace_moselle = YesNoField(label="Régime Alsace-Moselle")
    teletransmission = forms.BooleanField(
        label="Télétransmission : mes remboursements de la Sécurité sociale sont transmis "
        "automatiquement à la mutuelle",
        required=False,
    )

    class Meta:
        model = Employee
        fields = [
            "civility",
            "last_name",
            "first_name",
            "birth_date",
            "family_status",
            "address_number",
            "address_street",
            "address_building",
            "postal_code",
            "city",
            "country",
            "phone",
            "teletransmission",
            "nir",
            "insurance_fund_code",
            "alsace_moselle",
        ]
        labels = {
            "last_name": "Nom",
            "first_name": "Prénom",
            "birth_date": "Date de naissance",
            "family_status": "Situation familiale",
            "nir": "Numéro de sécurité sociale",
            "insurance_fund_code": "Organisme de sécurité sociale",
            **ADDRESS_LABELS,
        }
        help_texts = {
            "nir": "15 caractères, sur votre attestation de droits (carte Vitale).",
            "insurance_fund_code": "Code de l'organisme de rattachement, sur votre attestation "
            "de droits (ex. : 01 751 0000).",
        }
        widgets = {"birth_date": DateInput(), "nir": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("address_street", "postal_code", "city", "nir"):
            self.fields[name].required = True
        form_mark_own_data(self)
        self.fields["family_status"].choices = [
            ("", "— Choisissez —"),
            *self.fields["family_status"].choices[1:],
        ]

    def clean_phone(self):
        # The number on record stays as it is (even a landline the employer gave); a new
        # one must be able to receive the confirmation code.
        phone = self.cleaned_data.get("phone")
        if phone and phone != self.initial.get("phone") and not is_french_mobile(phone):
            raise forms.ValidationError(
                "Saisissez un numéro de mobile français commençant par 06 ou 07."
            )
        return phone

    def clean_nir(self):
        return normalize_nir(self.cleaned_data.get("nir") or "")

    def clean(self):
        data = super().clean()
        employee = self.instance
        birth_date = data.get("birth_date")
        if birth_date and employee.hire_date and birth_date >= employee.hire_date:
            self.add_error("birth_date", "La date de naissance doit précéder la date d'embauche.")
        nir = data.get("nir")
        if (
            nir
            and Employee.objects.filter(company_id=employee.company_id, nir_hash=keyed_hash(nir))
            .exclude(pk=employee.pk)
            .exists()
        ):
            self.add_error(
                "nir", "Ce numéro de sécurité sociale est déjà celui d'un autre salarié."
            )
        form_add_rule_errors(self, wizard.profile_rule_errors(data))
        return data


class BeneficiaryForm(AddressMixin, forms.ModelForm):
    required_css_class = "required"
    relationship = forms.ChoiceField(
        label="Type de bénéficiaire", choices=Relationship.choices, widget=forms.RadioSelect
    )
    civility = forms.ChoiceField(
        label="Civilité", choices=Civility.choices, widget=forms.RadioSelect
    )
    same_address = forms.BooleanField(
        label="Mêmes coordonnées que l'assuré principal", required=False, initial=True
    )
    phone = PhoneNumberField(label="Téléphone", region="FR", required=False)
    teletransmission = forms.BooleanField(label="Télétransmission", required=False, initial=True)
    attached_to_member_nir = forms.TypedChoiceField(
        label="Numéro de sécurité sociale utilisé",
        choices=[
            ("own", "Le bénéficiaire a son propre numéro de sécurité sociale"),
            ("member", "L'enfant est rattaché à mon numéro de sécurité sociale"),
        ],
        coerce=lambda v: v == "member",
        widget=forms.RadioSelect,
        initial="own",
        required=False,
        empty_value=False,
    )
    alsace_moselle = YesNoField(label="Régime Alsace-Moselle", initial="non")
    twin_rank = forms.TypedChoiceField(
        label="Rang gémellaire",
        choices=[(i, str(i)) for i in range(1, 10)],
        coerce=int,
        initial=1,
        required=False,
        empty_value=1,
        help_text="1 pour un enfant seul ; des jumeaux ont des rangs différents (1, 2…).",
    )

    class Meta:
        model = Beneficiary
        fields = [
            "relationship",
            "spouse_kind",
            "civility",
            "last_name",
            "first_name",
            "birth_date",
            "twin_rank",
            "is_student_or_apprentice",
            "disabled",
            "same_address",
            "address_number",
            "address_street",
            "address_building",
            "postal_code",
            "city",
            "country",
            "phone",
            "teletransmission",
            "attached_to_member_nir",
            "nir",
            "insurance_fund_code",
            "alsace_moselle",
        ]
        labels = {
            "spouse_kind": "Lien avec vous (conjoint)",
            "last_name": "Nom",
            "first_name": "Prénom",
            "birth_date": "Date de naissance",
            "is_student_or_apprentice": "Enfant étudiant ou apprenti",
            "disabled": "Enfant en situation de handicap (couvert sans limite d'âge)",
            "nir": "Numéro de sécurité sociale du bénéficiaire",
            "insurance_fund_code": "Organisme de sécurité sociale",
            **ADDRESS_LABELS,
        }
        widgets = {"birth_date": DateInput(), "nir": forms.TextInput()}

    # Ages are checked on this date (None: the enrolment's effective date).
    rules_on = None

    def __init__(self, *args, enrolment, **kwargs):
        self.enrolment = enrolment
        super().__init__(*args, **kwargs)
        self.fields["spouse_kind"].choices = [
            ("", "— Choisissez —"),
            *self.fields["spouse_kind"].choices[1:],
        ]
        if not enrolment.contract.disabled_child_no_age_limit:
            del self.fields["disabled"]
        if self.instance.pk:
            self.initial["attached_to_member_nir"] = (
                "member" if self.instance.attached_to_member_nir else "own"
            )

    def clean_nir(self):
        return normalize_nir(self.cleaned_data.get("nir") or "")

    def clean(self):
        data = super().clean()
        if not data.get("same_address"):
            for name in ("address_street", "postal_code", "city"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Ce champ est obligatoire si les coordonnées diffèrent.")
        form_add_rule_errors(
            self,
            wizard.beneficiary_rule_errors(
                enrolment=self.enrolment, data=data, instance=self.instance, on=self.rules_on
            ),
        )
        return data


class OfferChoiceForm(forms.Form):
    required_css_class = "required"
    offer = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choisissez une garantie."},
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers


class RibForm(forms.Form):
    required_css_class = "required"
    holder = forms.CharField(label="Titulaire du compte", max_length=100)
    iban = forms.CharField(
        label="IBAN", max_length=42, help_text="Ex. : FR76 3000 6000 0112 3456 7890 189"
    )
    bic = forms.CharField(
        label="BIC",
        max_length=14,
        required=False,
        help_text="Rempli d'après l'IBAN quand nous connaissons votre banque ; sinon, "
        "8 ou 11 caractères, sur votre RIB.",
    )
    # The bank the registry finds for the IBAN (shown as « Banque : … »).
    bank_name = ""

    def __init__(self, *args, own_account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if own_account:
            form_mark_own_data(self)

    def clean_iban(self):
        return normalize_iban(self.cleaned_data["iban"])

    def clean_bic(self):
        return self.cleaned_data["bic"].replace(" ", "").upper()

    def clean(self):
        data = super().clean()
        iban = data.get("iban")
        if not iban:
            return data
        known = bank_of_iban(iban)
        if known is not None:
            self.bank_name = known.name
            data["bic"] = data.get("bic") or known.bic
        errors = wizard.bank_account_errors(iban=iban, bic=data.get("bic") or "")
        if "iban" in errors:
            errors.pop("bic", None)
        elif not data.get("bic"):
            # Asked only when the registry does not know the bank.
            errors["bic"] = [
                "Nous ne connaissons pas la banque de cet IBAN : indiquez son BIC "
                "(8 ou 11 caractères, sur votre RIB)."
            ]
        for field, messages in errors.items():
            if not self.has_error(field):
                for message in messages:
                    self.add_error(field, message)
        return data

    def account(self) -> wizard.AccountData:
        d = self.cleaned_data
        return wizard.AccountData(holder=d["holder"], iban=d["iban"], bic=d["bic"])


class DebitForm(forms.Form):
    required_css_class = "required"
    same_as_benefits = forms.BooleanField(
        label="RIB identique pour les prélèvements", required=False, initial=True
    )
    debit_frequency = forms.ChoiceField(label="Fréquence de prélèvement", widget=forms.RadioSelect)
    debit_day = forms.TypedChoiceField(label="Jour de prélèvement", coerce=int)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(DebitFrequency.choices)
        self.fields["debit_frequency"].choices = [
            (f, labels[f]) for f in contract.debit_frequencies if f in labels
        ]
        self.fields["debit_day"].choices = [(d, f"le {d} du mois") for d in contract.debit_days]


class BeneficiaryRibChoiceForm(forms.Form):
    own_rib = forms.BooleanField(required=False)


class PersonalEmailForm(forms.Form):
    """For an account created from the postal letters: give a personal e-mail."""

    required_css_class = "required"
    email = forms.EmailField(label="Votre adresse e-mail personnelle", max_length=254)
    email_confirm = forms.EmailField(label="Confirmez votre adresse e-mail", max_length=254)

    def clean(self):
        data = super().clean()
        email = (data.get("email") or "").strip().lower()
        confirm = (data.get("email_confirm") or "").strip().lower()
        if email and confirm and email != confirm:
            self.add_error("email_confirm", "Les deux adresses e-mail ne sont pas identiques.")
        elif email and login_email_taken(email):
            self.add_error("email", "Cette adresse e-mail est déjà utilisée par un autre compte.")
        data["email"] = email
        return data
