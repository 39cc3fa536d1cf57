"""The portal's form rendering (mutuelle.forms): one field template, ids tied together,
rule errors added in the same pass."""

import datetime as dt

from django import forms

from mutuelle.forms import DateInput, form_add_rule_errors
from mutuelle.templatetags.portal_forms import summary_errors
from tests.form_checks import dangling_references, field, parse


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Comme sur la carte Vitale.")
    code = forms.CharField(
        label="Code", required=False, widget=forms.TextInput(attrs={"aria-describedby": "aide"})
    )
    kind = forms.ChoiceField(
        label="Type", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    day = forms.DateField(label="Jour", widget=DateInput())
    agree = forms.BooleanField(label="J'accepte")


def render(form) -> str:
    return '<p id="aide">Aide</p>' + "".join(field.as_field_group() for field in form)


def test_every_field_tied_to_its_help_and_error():
    form = SampleForm({"code": "x", "day": "31/02/2024"})
    assert not form.is_valid()
    html = render(form)
    assert not dangling_references(html)
    name = field(html, "id_name")
    assert name.get("aria-describedby") == "id_name_helptext id_name_error"
    assert name.get("aria-invalid") == "true" and name.get("aria-required") == "true"
    assert field(html, "id_code").get("aria-describedby") == "aide"
    fieldset = field(html, "id_kind_0").xpath("ancestor::fieldset[1]")[0]
    assert fieldset.get("aria-describedby") == "id_kind_error"
    assert fieldset.get("role") == "radiogroup" and fieldset.get("aria-required") == "true"
    assert fieldset.xpath("legend")[0].text_content().strip() == "Type *"
    assert fieldset.xpath("legend/span")[0].get("aria-hidden") == "true"
    assert field(html, "id_day").get("type") == "text"
    assert "Format attendu : JJ/MM/AAAA" in field(html, "champ-day").text_content()
    agree = field(html, "id_agree")
    assert agree.get("aria-describedby") == "id_agree_error" and "required" in agree.attrib
    assert not parse(html).xpath("//ul[@role]")


def test_typed_date_kept_as_typed():
    form = SampleForm({"day": "31/02/2024"})
    form.is_valid()
    assert field(render(form), "id_day").get("value") == "31/02/2024"
    initial = SampleForm(initial={"day": dt.date(2024, 3, 1)})
    assert field(render(initial), "id_day").get("value") == "01/03/2024"


def test_rule_errors_join_field_errors_in_one_pass():
    form = SampleForm({"kind": "a"})
    assert not form.is_valid()
    form_add_rule_errors(
        form, {"name": ["Jamais vu"], "code": "Code inconnu", "__all__": ["Tout est faux"]}
    )
    assert form.errors["name"] == ["Ce champ est obligatoire."]  # already rejected
    assert form.errors["code"] == ["Code inconnu"]
    assert form.non_field_errors() == ["Tout est faux"]
    entries = summary_errors(form)
    assert entries[0] == {"message": "Tout est faux"}
    assert [e["target"] for e in entries[1:]] == ["id_name", "id_code", "id_day", "id_agree"]
