from django import forms

from directory.enums import Specialty


class DirectorySearchForm(forms.Form):
    AGENCIES = "agences"
    PARTNERS = "professionnels"

    what = forms.ChoiceField(
        label="Je cherche",
        choices=[(AGENCIES, "Une agence"), (PARTNERS, "Un professionnel de santé partenaire")],
        initial=AGENCIES,
        widget=forms.RadioSelect,
    )
    specialty = forms.ChoiceField(
        label="Spécialité (professionnels)",
        required=False,
        choices=[("", "Toutes les spécialités"), *Specialty.choices],
    )
    where = forms.CharField(
        label="Code postal, ville ou département",
        max_length=60,
        help_text="Par exemple : 69003, Lyon ou 69.",
        error_messages={"required": "Indiquez un code postal, une ville ou un département."},
    )
