"""Forms of the employee's dispensation request. The rules come from the case catalogue
and the services; these forms only put their messages next to the right field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from dispensations.cases import CASES_BY_CODE, cases_open_for, check_case_rules
from dispensations.files import ALLOWED_LABEL, check_proofs, max_proof_bytes, max_proofs
from dispensations.services import check_request
from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment
from mutuelle.forms import DateInput, form_add_rule_errors
from mutuelle.french import file_size

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _date_field(label: str, *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DateInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": "Saisissez une date au format JJ/MM/AAAA."},
    )


class ProofsMixin:
    """The proofs field with its limits, checked here so the message sits next to it.
    ``kept``: proofs kept from the form's previous submission (member_portal.staged_proofs),
    sent with the new ones."""

    already_attached = 0
    kept = 0

    def _add_proofs_field(self, *, required_label: str = "Justificatifs") -> None:
        self.fields["proofs"] = MultipleFileField(label=required_label, required=False)
        self._count_remaining()

    def _count_remaining(self) -> None:
        remaining = max(0, max_proofs() - self.already_attached)
        self.remaining_files = remaining
        self.fields["proofs"].help_text = (
            f"{ALLOWED_LABEL}, {file_size(max_proof_bytes())} maximum par fichier. "
            f"Vous pouvez encore joindre {remaining} fichier(s)."
        )

    def proofs_kept(self, count: int) -> None:
        """The form is shown again holding ``count`` kept proofs (its new files among
        them): what it may still take counts them."""
        self.already_attached += count - self.kept
        self.kept = count
        self._count_remaining()
        # A bound field copies its help text when first built (during validation).
        self._bound_fields_cache.pop("proofs", None)

    def clean_proofs(self):
        files = self.cleaned_data.get("proofs") or []
        try:
            check_proofs(files, already=self.already_attached)
        except ValidationError as error:
            raise ValidationError(error.message_dict["proofs"]) from error
        return files


class DispensationForm(ProofsMixin, forms.Form):
    payroll_id = forms.CharField(label="N° de matricule", max_length=30, required=False)
    hire_date = _date_field("Date d'embauche", required=True)
    case = forms.ChoiceField(
        label="Situation justifiant la dispense",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la situation qui justifie la dispense."},
    )
    end_date = _date_field("Couverture jusqu'au", required=False)
    insurer_name = forms.CharField(
        label="Organisme assureur de votre contrat individuel", max_length=120, required=False
    )
    sworn_statement = forms.BooleanField(
        label=(
            "Je déclare sur l'honneur l'exactitude des informations ci-dessus et j'ai pris "
            "connaissance des conséquences de ma demande de dispense."
        ),
        error_messages={"required": "Vous devez accepter la déclaration sur l'honneur."},
    )

    def __init__(self, *args, enrolment: Enrolment, kept: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        self.kept = self.already_attached = kept
        self.open_cases = cases_open_for(
            enrolment.contract, during_membership=enrolment.status == EnrolmentStatus.ACTIVE
        )
        self.fields["case"].choices = [(c.code, c.short_label) for c in self.open_cases]
        self._add_proofs_field()

    def grouped_cases(self) -> list[tuple[str, list]]:
        groups: dict[str, list] = {}
        for case in self.open_cases:
            groups.setdefault(case.group, []).append(case)
        return list(groups.items())

    def clean(self):
        data = super().clean()
        case = CASES_BY_CODE.get(data.get("case") or "")
        if case is None:
            return data
        # Even with other fields wrong: every error in one pass.
        errors = check_request(
            enrolment=self.enrolment,
            case=case,
            hire_date=data.get("hire_date"),
            end_date=data.get("end_date"),
            insurer_name=data.get("insurer_name", ""),
            proof_count=self.kept + len(data.get("proofs") or []),
        )
        form_add_rule_errors(self, errors)
        return data


class DispensationCompleteForm(ProofsMixin, forms.Form):
    payroll_id = forms.CharField(label="N° de matricule", max_length=30, required=False)
    hire_date = _date_field("Date d'embauche", required=True)
    end_date = _date_field("Couverture jusqu'au", required=False)
    insurer_name = forms.CharField(
        label="Organisme assureur de votre contrat individuel", max_length=120, required=False
    )

    def __init__(self, *args, dispensation, kept: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispensation = dispensation
        self.case = dispensation.case_info
        self.kept = kept
        self.already_attached = dispensation.proofs.exclude(kind="annuel").count() + kept
        if self.case.end_date_required:
            self.fields["end_date"].label = self.case.end_date_label
        else:
            del self.fields["end_date"]
        if not self.case.needs_insurer_name:
            del self.fields["insurer_name"]
        self._add_proofs_field()

    def clean(self):
        data = super().clean()
        errors = check_case_rules(
            self.case,
            contract=self.dispensation.enrolment.contract,
            hire_date=data.get("hire_date"),
            end_date=data.get("end_date"),
            insurer_name=data.get("insurer_name", ""),
            today=timezone.localdate(),
        )
        form_add_rule_errors(self, errors)
        return data


class RejustifyForm(ProofsMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_proofs_field(required_label="Justificatif à jour")

    def clean(self):
        data = super().clean()
        if not self.has_error("proofs") and not data.get("proofs"):
            self.add_error("proofs", "Joignez le justificatif annuel demandé.")
        return data
