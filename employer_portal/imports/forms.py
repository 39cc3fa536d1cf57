from django import forms

from mutuelle.models import InsuredGroup

from .files import ACCEPTED_FORMATS, FileRefused, check_upload

# The file picker offers the formats read (extensions and their media types).
ACCEPT = ",".join(
    [
        ".xlsx",
        ".ods",
        ".xls",
        ".csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.ms-excel",
        "text/csv",
    ]
)


class ImportUploadForm(forms.Form):
    group = forms.ModelChoiceField(
        label="Groupe d'assurés",
        queryset=InsuredGroup.objects.none(),
        empty_label="Sélectionnez un groupe d'assurés",
        error_messages={"required": "Sélectionnez le groupe d'assurés des salariés du fichier."},
    )
    file = forms.FileField(
        label=f"Fichier complété ({ACCEPTED_FORMATS})",
        error_messages={
            "required": f"Ajoutez le fichier complété ({ACCEPTED_FORMATS}).",
            "empty": "Le fichier est vide.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
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
