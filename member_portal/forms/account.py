"""« Créer mon espace » (seed 004): the fields of the seed, every error in one pass."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from mutuelle.passwords import RULE

from .fields import FrenchDateField

PAPERLESS_TEXT = (
    "Par défaut, vous êtes abonné(e) au service e-courriers (dans ce cas, vous ne recevrez "
    "plus la majorité de vos courriers par voie postale). Si vous souhaitez recevoir vos "
    "courriers au format papier, il vous suffit de vous désabonner en désactivant la case "
    "correspondante dans « Mes informations personnelles »."
)


class MemberAccountForm(forms.Form):
    required_css_class = "required"
    member_number = forms.CharField(label="Numéro d'adhérent", max_length=20)
    last_name = forms.CharField(
        label="Nom", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label="Prénom",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    birth_date = FrenchDateField(label="Date de naissance")
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirm = forms.EmailField(
        label="Confirmer l'adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=RULE,
    )
    password2 = forms.CharField(
        label="Confirmer le mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(
        error_messages={
            "required": "Cochez cette case pour confirmer avoir pris connaissance des "
            "conditions générales d'utilisation et des mentions légales."
        }
    )
    paperless_mail = forms.BooleanField(
        label="Je m'abonne au service e-courriers", required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].label = format_html(
            "En cochant cette case, je reconnais avoir pris connaissance des "
            '<a href="{}">Conditions Générales d\'Utilisation</a> du site ainsi que ses '
            '<a href="{}">mentions légales</a>.',
            reverse("member_portal:terms"),
            reverse("member_portal:legal_notice"),
        )
        self.fields["paperless_mail"].help_text = PAPERLESS_TEXT

    def clean(self):
        data = super().clean()
        email = (data.get("email") or "").strip().lower()
        confirm = (data.get("email_confirm") or "").strip().lower()
        if email and confirm and email != confirm:
            self.add_error("email_confirm", "Les deux adresses e-mail ne sont pas identiques.")
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif p1:
            candidate = get_user_model()(
                username=data.get("member_number") or "",
                email=email,
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
            )
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
