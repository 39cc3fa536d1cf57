"""How every form of the portal is rendered (RGAA 11): one field template
(``templates/includes/field.html``), one error summary (``templates/includes/error_summary.html``)
and a bound field that ties each input to its help text, its error and its warning.

``FORM_RENDERER`` points at :class:`PortalFormRenderer`, so ``{{ field.as_field_group }}``
and ``{% include "includes/form_fields.html" %}`` render every field of every form the
same way.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

# The one convention for dates typed by people (see DateInput).
DATE_FORMAT_HINT = "JJ/MM/AAAA"


class PortalBoundField(BoundField):
    """Django's bound field, plus:

    - ``required`` and ``aria-required`` on a field that the form marks as required even
      when a service, not the field, enforces it (``field.is_required_mark``);
    - ``aria-describedby`` listing the help text, the error and the warning, kept
      together with ids the widget already carries, also on radio groups and
      checkboxes (the template puts it on the fieldset of a group).
    """

    @property
    def is_required(self) -> bool:
        return self.field.required or getattr(self.field, "is_required_mark", False)

    @property
    def warning(self) -> str:
        """A non-blocking remark shown next to the field (``form.field_warnings``)."""
        return getattr(self.form, "field_warnings", {}).get(self.name, "")

    @property
    def aria_describedby(self) -> str:
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.warning:
                ids.append(f"{self.auto_id}_warning")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
        return " ".join(ids)

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        use_required = self.form.use_required_attribute and widget.use_required_attribute(
            self.initial
        )
        if self.use_fieldset:
            # The fieldset carries the description and the requirement of the group.
            if self.is_required and use_required:
                attrs["required"] = True
            return attrs
        if self.is_required and not self.field.disabled:
            attrs["aria-required"] = "true"
            if use_required:
                attrs["required"] = True
        # Django leaves out its ids when the widget has its own: keep both.
        own, ours = widget.attrs.get("aria-describedby", ""), self.aria_describedby
        if own and ours:
            attrs["aria-describedby"] = f"{own} {ours}"
        return attrs


def form_add_rule_errors(form: forms.BaseForm, errors: dict) -> None:
    """Put a service's messages (``field → message or [messages]``) on ``form`` in the
    same pass as the fields' own checks (every error at once): next to their field,
    except on a field the form already rejected (its value did not reach the rule);
    a key that is not a field of the form becomes an error of the whole form."""
    for name, messages in errors.items():
        field = name if name in form.fields else None
        if field is not None and field in form.errors:
            continue
        for message in [messages] if isinstance(messages, str) else messages:
            form.add_error(field, message)


# The purpose of each field holding the person's own data (WCAG 1.3.5, RGAA 11.13), so
# that browsers and assistive tools fill it in. Never on a field about someone else (a
# beneficiary, an employee typed in by the employer).
OWN_DATA_AUTOCOMPLETE = {
    "last_name": "family-name",
    "first_name": "given-name",
    "birth_date": "bday",
    "address_street": "address-line1",
    "address_building": "address-line2",
    "postal_code": "postal-code",
    "city": "address-level2",
    "country": "country-name",
    "phone": "tel",
    "holder": "name",
}


def form_mark_own_data(form: forms.BaseForm) -> None:
    """Give the fields of ``form`` that hold the user's own data their autocomplete token."""
    for name, token in OWN_DATA_AUTOCOMPLETE.items():
        if name in form.fields:
            form.fields[name].widget.attrs["autocomplete"] = token


class PortalFormRenderer(TemplatesSetting):
    """The project's templates (``includes/field.html``) for every form."""

    field_template_name = "includes/field.html"
    bound_field_class = PortalBoundField


class DateInput(forms.DateInput):
    """A date typed as JJ/MM/AAAA in a text box: the one convention of the portal.

    Not ``type="date"``: a native picker drops a partly typed or impossible date on
    re-display (the typed input must be kept), shows its own format depending on the
    browser (so the expected format cannot be stated, RGAA 11.10), and a birth date is
    quicker typed than picked. The field template shows the format in the label.
    """

    format_hint = DATE_FORMAT_HINT

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", **(attrs or {})}, format="%d/%m/%Y")
