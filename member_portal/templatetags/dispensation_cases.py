"""The dispensation catalogue's facts that the employee's pages state in words."""

from django import template

from dispensations.cases import YEARLY_CASES

register = template.Library()


@register.simple_tag
def yearly_dispensation_cases():
    """The cases justified again every year (covered elsewhere, D911-2 3° CSS)."""
    return YEARLY_CASES
