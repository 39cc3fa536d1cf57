"""``{% error_summary form other_form … %}``: the summary of every error of the forms of
one page (templates/includes/error_summary.html)."""

from django import template
from django.utils.html import strip_tags

register = template.Library()


def summary_errors(*forms) -> list[dict]:
    """Each error of the forms, in page order: the form's own errors first, then each
    field's, with the id of the field to link to (hidden fields have nothing to focus)."""
    errors = []
    for form in _flatten(forms):
        if form is None or not form.is_bound or not form.errors:
            continue
        errors += [{"message": message} for message in form.non_field_errors()]
        for field in form:
            target = "" if field.is_hidden else _focus_target(field)
            label = strip_tags(str(field.label or ""))
            errors += [
                {"message": message, "target": target, "label": label} for message in field.errors
            ]
    return errors


def _focus_target(field) -> str:
    """The id of the input to focus: a group of radios or boxes, its first one."""
    if field.use_fieldset and field.subwidgets:
        return field.subwidgets[0].id_for_label
    return field.id_for_label


def _flatten(forms):
    for form in forms:
        if isinstance(form, list | tuple):
            yield from _flatten(form)
        else:
            yield form


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms):
    return {"errors": summary_errors(*forms)}
