"""The account activation form (invitation link)."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from enrolment.models import Employee
from enrolment.services.activation import login_email_taken

from .fields import FrenchDateField, YesNoField

COMMERCIAL_CONSENT_LABEL = (
    "J'accepte d'être contacté(e) par {name} par courrier électronique à des fins "
    "commerciales, d'information ou d'enquête. À l'occasion de chaque envoi, j'aurai la "
    "possibilité de mettre fin à ces communications."
)


class ActivationForm(forms.Form):
    required_css_class = "required"
    # Checked by the service against the employer's declaration (3 tries per link).
    birth_date = FrenchDateField(
        label="Votre date de naissance",
        help_text="JJ/MM/AAAA. Elle confirme que ce lien vous est bien destiné.",
    )
    has_personal_email = YesNoField(label="Je dispose d'une adresse e-mail personnelle")
    personal_email = forms.EmailField(
        label="Votre adresse e-mail personnelle", required=False, max_length=254
    )
    personal_email_confirm = forms.EmailField(
        label="Confirmez votre adresse e-mail", required=False, max_length=254
    )
    commercial_consent = forms.BooleanField(required=False)
    password1 = forms.CharField(
        label="Saisissez votre mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_texts()[-1]
        if password_validation.get_default_password_validators()
        else "",
    )
    password2 = forms.CharField(
        label="Confirmez votre mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, employee: Employee, brand: str, **kwargs):
        self.employee = employee
        super().__init__(*args, **kwargs)
        self.fields["commercial_consent"].label = COMMERCIAL_CONSENT_LABEL.format(name=brand)
        if not employee.email:
            # Without an employer address the personal one is the only possible login.
            self.fields["has_personal_email"].initial = "oui"

    def clean(self):
        data = super().clean()
        has_personal = data.get("has_personal_email")
        email = (data.get("personal_email") or "").strip().lower()
        confirm = (data.get("personal_email_confirm") or "").strip().lower()
        if has_personal is False and not self.employee.email:
            self.add_error(
                "has_personal_email",
                "Votre entreprise n'a pas communiqué d'adresse e-mail : indiquez une adresse "
                "personnelle.",
            )
        if has_personal:
            if not email and "personal_email" not in self.errors:
                self.add_error("personal_email", "Indiquez votre adresse e-mail personnelle.")
            elif email and email != confirm and "personal_email_confirm" not in self.errors:
                self.add_error(
                    "personal_email_confirm", "Les deux adresses e-mail ne sont pas identiques."
                )
            elif (
                email and email != (self.employee.email or "").lower() and login_email_taken(email)
            ):
                self.add_error(
                    "personal_email",
                    "Cette adresse e-mail est déjà utilisée par un autre compte.",
                )
        else:
            data["personal_email"] = ""
        login_email = self.employee.email or data.get("personal_email")
        if self.employee.email and login_email_taken(self.employee.email):
            self.add_error(
                None,
                "Un compte utilise déjà l'adresse e-mail communiquée par votre entreprise. "
                "Connectez-vous avec ce compte ou contactez la mutuelle.",
            )
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif p1:
            candidate = get_user_model()(
                username="",
                email=login_email or "",
                first_name=self.employee.first_name,
                last_name=self.employee.last_name,
            )
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
