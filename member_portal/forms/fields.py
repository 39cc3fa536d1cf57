"""Form fields shared by the member's forms."""

from django import forms

from mutuelle.forms import DateInput

YES_NO = [("oui", "Oui"), ("non", "Non")]


class YesNoField(forms.TypedChoiceField):
    """« Oui / Non » radio buttons mapped to a boolean."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO,
            coerce=lambda v: v == "oui",
            widget=forms.RadioSelect,
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, bool):
            return "oui" if value else "non"
        return value


class FrenchDateField(forms.DateField):
    """JJ/MM/AAAA typed as on the seed's form."""

    widget = DateInput(attrs={"autocomplete": "bday"})

    def __init__(self, **kwargs):
        super().__init__(
            input_formats=["%d/%m/%Y"],
            error_messages={"invalid": "Saisissez une date au format JJ/MM/AAAA."},
            **kwargs,
        )
