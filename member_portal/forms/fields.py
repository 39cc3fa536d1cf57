"""Form fields shared by the member's forms."""

from django import forms

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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FrenchDateField(forms.DateField):
    """JJ/MM/AAAA typed as on the seed's form."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday"})

    def __init__(self, **kwargs):
        super().__init__(
            input_formats=["%d/%m/%Y"],
            error_messages={"invalid": "Saisissez une date au format JJ/MM/AAAA."},
            **kwargs,
        )
