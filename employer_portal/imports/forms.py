from django import forms

from mutuelle.models import InsuredGroup

from .files import FileRefused, check_upload


class ImportUploadForm(forms.Form):
    group = forms.ModelChoiceField(
        label="Groupe d'assurés",
        queryset=InsuredGroup.objects.none(),
        empty_label="Sélectionnez un groupe d'assurés",
        error_messages={"required": "Sélectionnez le groupe d'assurés des salariés du fichier."},
    )
    file = forms.FileField(
        label="Fichier complété (.xlsx ou .csv)",
        error_messages={
            "required": "Ajoutez le fichier complété (.xlsx ou .csv).",
            "empty": "Le fichier est vide.",
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,text/csv"
            }
        ),
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = (
            # The health contract's groups, then the prévoyance contract's: choosing
            # the group chooses the contract (one file per group).
            InsuredGroup.objects.filter(contract__company=company)
            .select_related("contract")
            .order_by("contract__product_line", "contract__number", "name")
        )
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.contract.get_product_line_display()} — {g.name} (contrat n° {g.contract.number})"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # Kept for the job, which then does not check the same file again.
            self.file_format = check_upload(upload, size=upload.size)
        except FileRefused as refusal:
            raise forms.ValidationError(refusal.message) from refusal
        return upload
