"""Template filters of :mod:`mutuelle.french`:
``{{ company.legal_name|de }}`` → « d'Atelier Dupont », ``{{ name|le }}``,
``{{ employee.civility|gendered:"assuré,assurée" }}``,
``{{ count|plural:"salarié validé,salariés validés" }}`` → « 2 salariés validés »,
``{{ document.size|file_size }}`` → « 5 Mo »,
``{{ mutuelle.company_help_hours|hours }}`` → « de 8 h 30 à 17 h 30 » that never breaks
inside a time, ``{{ mutuelle.company_help_phone|phone }}`` → « 09 80 98 98 22 » that never
breaks inside the number (pages and PDFs only)."""

from django import template

from mutuelle import french

register = template.Library()


@register.filter
def de(value) -> str:
    return french.de(value)


@register.filter
def le(value) -> str:
    return french.le(value)


@register.filter
def gendered(civility, forms: str) -> str:
    masculine, feminine = forms.split(",")
    return french.gendered(civility, masculine, feminine)


@register.filter
def plural(count, forms: str) -> str:
    singular, plural_form = forms.split(",")
    return french.plural(int(count), singular, plural_form)


@register.filter
def file_size(num_bytes) -> str:
    return french.file_size(num_bytes)


@register.filter
def hours(value) -> str:
    return french.hours(value)


@register.filter
def phone(value) -> str:
    return french.phone(value)
