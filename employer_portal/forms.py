"""Forms of the company space. Rules live in the services; forms only shape input and
attach the services' French messages next to the fields."""

from django import forms

from enrolment.enums import TerminationReason, UnemploymentEligibility
from enrolment.portability import PORTABILITY_REASONS, portability_decide
from enrolment.services.termination import termination_errors
from mutuelle.forms import DateInput, form_add_rule_errors

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
YES_NO = [("oui", "Oui"), ("non", "Non")]


class TerminationForm(forms.Form):
    hire_date = forms.DateField(
        label="Date d'embauche", widget=DateInput(), input_formats=DATE_FORMATS
    )
    contracts_start_date = forms.DateField(
        label="Début du premier des contrats successifs chez votre entreprise",
        widget=DateInput(),
        input_formats=DATE_FORMATS,
        required=False,
        help_text=(
            "Si le salarié a enchaîné plusieurs contrats chez vous sans interruption (CDD "
            "successifs, CDD puis CDI…), la date de début du premier. Laissez vide sinon : "
            "la date d'embauche est retenue."
        ),
    )
    termination_date = forms.DateField(
        label="Date de résiliation",
        widget=DateInput(),
        input_formats=DATE_FORMATS,
        help_text="Dernier jour du contrat de travail.",
    )
    reason = forms.ChoiceField(
        label="Veuillez sélectionner un motif de résiliation",
        choices=TerminationReason.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Une fin de période d'essai à l'initiative du salarié n'ouvre droit à "
            "l'assurance chômage que s'il s'agit d'une démission légitime : choisissez "
            "alors « Démission légitime »."
        ),
    )
    unemployment = forms.ChoiceField(
        label="Le salarié peut-il prétendre à l'assurance chômage ? (pour ces motifs)",
        choices=UnemploymentEligibility.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, enrolment, **kwargs):
        self.enrolment = enrolment
        kwargs.setdefault("initial", {"hire_date": enrolment.employee.hire_date})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("reason") not in PORTABILITY_REASONS:
            data["unemployment"] = None
        # Even with a date wrong: the other rules' messages in the same pass.
        errors = termination_errors(
            enrolment=self.enrolment,
            hire_date=data.get("hire_date"),
            termination_date=data.get("termination_date"),
            reason=data.get("reason"),
            unemployment=data.get("unemployment"),
            contracts_start_date=data.get("contracts_start_date"),
        )
        form_add_rule_errors(self, errors)
        return data

    def decision(self):
        """The portability that this valid form's facts open (art. L911-8 CSS)."""
        data = self.cleaned_data
        return portability_decide(
            reason=data["reason"],
            unemployment=data["unemployment"],
            start_date=data["contracts_start_date"] or data["hire_date"],
            termination_date=data["termination_date"],
        )


class CancelForm(forms.Form):
    note = forms.CharField(
        label="Motif de l'annulation (facultatif)", max_length=250, required=False
    )


class AddEmployeesChoiceForm(forms.Form):
    mode = forms.ChoiceField(
        label="Sous quelle forme désirez-vous les renseigner ?",
        choices=[("formulaire", "Formulaire"), ("fichier", "Fichier Excel ou structuré")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez « Formulaire » ou « Fichier Excel ou structuré »."},
    )


def _text(
    label: str, max_length: int = 100, widget=None, help_text: str = "", **attrs
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=widget or forms.TextInput(attrs=attrs),
        help_text=help_text,
        error_messages={"max_length": f"{label} : {max_length} caractères au maximum."},
    )


def _date(label: str) -> forms.CharField:
    """A date typed as text: the shared service parses it, as it does a file's cells."""
    return _text(label, 10, widget=DateInput())


class PreAffiliationForm(forms.Form):
    """The seed's form. Fields stay text: every rule (required fields included) is the
    shared pre-affiliation service's, so the form and the file import say the same."""

    civility = forms.ChoiceField(
        label="Civilité",
        choices=[("MME", "Madame"), ("M", "Monsieur")],
        widget=forms.RadioSelect,
        required=False,
    )
    first_name = _text("Prénom", autocomplete="off")
    last_name = _text("Nom", autocomplete="off")
    birth_date = _date("Date de naissance")
    nir = _text("Numéro de sécurité sociale", 21, inputmode="numeric")
    insurance_fund_code = _text("Organisme de rattachement Sécurité sociale", 20)
    address_floor = _text("Escalier / Étage", 60)
    address_building = _text("Bâtiment / Résidence", 60)
    address_number = _text("Numéro", 10)
    address_street = _text("Libellé de la voie", 60)
    address_locality = _text("Lieu-dit", 60)
    postal_code = _text("Code postal", 10, inputmode="numeric", autocomplete="off")
    city = _text("Ville", 60)
    country = _text("Pays", 60)
    email = _text("Email", 254, type="email", autocomplete="off")
    phone = _text(
        "Téléphone portable",
        25,
        type="tel",
        autocomplete="off",
        help_text="Mobile du salarié (06 ou 07) : le code de signature de son adhésion lui "
        "sera envoyé par SMS. Le salarié pourra le modifier à l'étape « Mon profil », après "
        "confirmation par un code.",
    )
    payroll_id = _text("Matricule", 30)
    group = forms.TypedChoiceField(
        label="Groupe d'assurés",
        coerce=int,
        required=False,
        help_text=(
            "Le groupe désigne le contrat. Complémentaire santé : le salarié est invité à "
            "adhérer en ligne. Prévoyance : l'affiliation, obligatoire, est enregistrée "
            "directement et le salarié reçoit la notice d'information par e-mail."
        ),
    )
    hire_date = _date("Date d'embauche")
    alsace_moselle = forms.ChoiceField(
        label="Régime local Alsace-Moselle",
        choices=[("oui", "Oui"), ("non", "Non")],
        widget=forms.RadioSelect,
        required=False,
    )
    effective_date = _date("Date d'effet du contrat")

    REQUIRED = frozenset(
        {
            "civility",
            "first_name",
            "last_name",
            "birth_date",
            "nir",
            "group",
            "hire_date",
            "alsace_moselle",
            "effective_date",
        }
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g.pk: g for g in groups}
        self.fields["group"].choices = [("", "Choisissez un groupe d'assurés")] + [
            (g.pk, f"{g.name} — {g.contract.get_product_line_display()} n° {g.contract.number}")
            for g in groups
        ]
        if len(groups) == 1 and not self.is_bound:
            self.initial.setdefault("group", groups[0].pk)
        self.initial.setdefault("country", "FRANCE")
        for name, field in self.fields.items():
            field.is_required_mark = name in self.REQUIRED

    def clean(self):
        data = super().clean()
        if not data.get("group") and "group" not in self.errors:
            self.add_error("group", "Le groupe d'assurés est obligatoire.")
        return data

    def draft(self) -> dict:
        """The typed values, JSON-serialisable for the session."""
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}
