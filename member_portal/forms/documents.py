from django import forms

from enrolment.enums import MemberDocumentKind


class DocumentFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type de document",
        required=False,
        choices=[("", "Tous les types"), *MemberDocumentKind.choices],
    )
    year = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Toutes les années")] + [(y, str(y)) for y in years]
