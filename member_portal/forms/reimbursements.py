"""Filters of « Mes remboursements »."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from benefits.acts import grouped_choices
from benefits.enums import CareKind
from member_requests.services import check_documents
from mutuelle.forms import DateInput
from mutuelle.french import file_size
from mutuelle.uploads import ALLOWED_LABEL

from .dispensation import DATE_FORMATS
from .requests import SubmissionKeyMixin

PERIODS = [
    ("", "Toutes les dates"),
    ("3m", "Les 3 derniers mois"),
    ("annee", "Cette année"),
    ("annee-1", "L'année dernière"),
    ("dates", "Entre deux dates"),
]


class PeopleForm(forms.Form):
    """Beneficiaries to tick (none: all of them) and today's date, for the filters and
    the statement on demand."""

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


class ReimbursementFilterForm(PeopleForm):
    periode = forms.ChoiceField(label="Période", choices=PERIODS, required=False)
    du = forms.DateField(label="Du", required=False, input_formats=DATE_FORMATS, widget=DateInput())
    au = forms.DateField(label="Au", required=False, input_formats=DATE_FORMATS, widget=DateInput())

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


class StatementRequestForm(PeopleForm):
    """A relevé for any period and beneficiaries (« Afficher mes relevés »)."""

    du = forms.DateField(label="Du", input_formats=DATE_FORMATS, widget=DateInput())
    au = forms.DateField(label="Au", input_formats=DATE_FORMATS, widget=DateInput())

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


def _amount_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01") if required else Decimal("0"),
        max_digits=9,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _file_field(label: str, *, required: bool) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=f"{ALLOWED_LABEL}, {file_size(settings.MEMBER_REQUEST_FILE_MAX_BYTES)} maximum.",
    )


class ReimbursementRequestForm(SubmissionKeyMixin, forms.Form):
    """« Demander un remboursement » for care the Sécurité sociale did not transmit."""

    beneficiaire = forms.ChoiceField(label="Bénéficiaire des soins")
    date_soins = forms.DateField(
        label="Date des soins", input_formats=DATE_FORMATS, widget=DateInput()
    )
    nature = forms.ChoiceField(label="Nature des soins", choices=CareKind.choices)
    montant = _amount_field("Montant payé (€)")
    professionnel = forms.CharField(label="Professionnel de santé", max_length=150)
    message = forms.CharField(
        label="Précisions (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    facture = _file_field("Facture acquittée", required=True)
    decompte = _file_field("Décompte de la Sécurité sociale (s'il y en a un)", required=False)

    def __init__(self, *args, people, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["beneficiaire"].choices = [(p.key, p.name) for p in people]
        self._add_submission_key()

    def clean_date_soins(self):
        day = self.cleaned_data["date_soins"]
        if day > self.today:
            raise forms.ValidationError("La date des soins ne peut pas être dans le futur.")
        if day < self.today - dt.timedelta(days=2 * 365):
            raise forms.ValidationError("Les soins de plus de deux ans ne sont plus remboursés.")
        return day

    def clean(self):
        data = super().clean()
        for name in ("facture", "decompte"):
            if data.get(name):
                try:
                    check_documents([data[name]])
                except ValidationError as error:
                    self.add_error(name, error.message_dict["documents"])
        return data


class EstimateForm(forms.Form):
    """« Demander une estimation »: an instant estimate from the member's own grid."""

    beneficiaire = forms.ChoiceField(label="Pour qui ?")
    acte = forms.ChoiceField(label="Quels soins ?")
    prix = _amount_field("Prix demandé par le professionnel (€)")
    secteur = forms.ChoiceField(
        label="Le médecin est-il adhérent OPTAM ?",
        required=False,
        choices=[
            ("", "Je ne sais pas / ce n'est pas un médecin"),
            ("OPTAM", "Oui (OPTAM ou secteur 1)"),
            ("NON_OPTAM", "Non (dépassements libres)"),
        ],
    )
    base = _amount_field(
        "Base de remboursement de la Sécurité sociale (€, facultatif)", required=False
    )
    taux = forms.IntegerField(
        label="Taux de la Sécurité sociale (%, facultatif)",
        required=False,
        min_value=0,
        max_value=100,
    )

    def __init__(self, *args, people, act_codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiaire"].choices = [(p.key, p.name) for p in people]
        self.fields["acte"].choices = [("", "Choisissez les soins"), *grouped_choices(act_codes)]

    def clean(self):
        data = super().clean()
        if (data.get("base") is None) != (data.get("taux") is None):
            self.add_error("taux", "Indiquez la base et le taux ensemble, ou aucun des deux.")
        return data


class QuoteForm(SubmissionKeyMixin, forms.Form):
    devis = _file_field("Votre devis", required=True)
    message = forms.CharField(
        label="Question au centre de gestion (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_submission_key()

    def clean_devis(self):
        upload = self.cleaned_data["devis"]
        try:
            check_documents([upload])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["documents"]) from error
        return upload
