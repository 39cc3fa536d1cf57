"""Filters of « Mes remboursements »."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django import forms

from .dispensation import DATE_FORMATS
from .fields import DateInput

PERIODS = [
    ("", "Toutes les dates"),
    ("3m", "Les 3 derniers mois"),
    ("annee", "Cette année"),
    ("annee-1", "L'année dernière"),
    ("dates", "Entre deux dates"),
]


class ReimbursementFilterForm(forms.Form):
    periode = forms.ChoiceField(label="Période", choices=PERIODS, required=False)
    du = forms.DateField(label="Du", required=False, input_formats=DATE_FORMATS, widget=DateInput())
    au = forms.DateField(label="Au", required=False, input_formats=DATE_FORMATS, widget=DateInput())
    beneficiaires = forms.MultipleChoiceField(
        label="Bénéficiaires",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : tous les bénéficiaires.",
    )

    def __init__(self, *args, people, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["beneficiaires"].choices = [(p.key, p.name) for p in people]

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if data.get("periode") == "dates" and not (start or end):
            self.add_error("du", "Indiquez au moins une des deux dates.")
        if start and end and start > end:
            self.add_error("au", "La date de fin doit être postérieure à la date de début.")
        return data

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """The dates chosen, from the preset or the two date fields."""
        data = self.cleaned_data if self.is_valid() else {}
        today = self.today
        match data.get("periode"):
            case "3m":
                return today - relativedelta(months=3), today
            case "annee":
                return dt.date(today.year, 1, 1), today
            case "annee-1":
                return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
            case "dates":
                return data.get("du"), data.get("au")
        return None, None

    def people_keys(self) -> list[str]:
        return self.cleaned_data.get("beneficiaires", []) if self.is_valid() else []


class StatementRequestForm(forms.Form):
    """A relevé for any period and beneficiaries (« Afficher mes relevés »)."""

    du = forms.DateField(label="Du", input_formats=DATE_FORMATS, widget=DateInput())
    au = forms.DateField(label="Au", input_formats=DATE_FORMATS, widget=DateInput())
    beneficiaires = forms.MultipleChoiceField(
        label="Bénéficiaires",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : tous les bénéficiaires.",
    )

    def __init__(self, *args, people, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["beneficiaires"].choices = [(p.key, p.name) for p in people]

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if end and end > self.today:
            self.add_error("au", "La date de fin ne peut pas être dans le futur.")
        if start and end and start > end:
            self.add_error("au", "La date de fin doit être postérieure à la date de début.")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("du", "Choisissez une période de trois ans au plus.")
        return data
