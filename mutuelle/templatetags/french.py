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


# The one-argument helpers are filters as they are.
for _helper in (french.de, french.le, french.file_size, french.hours, french.phone):
    register.filter(_helper.__name__, _helper)


@register.filter
def gendered(civility, forms: str) -> str:
    masculine, feminine = forms.split(",")
    return french.gendered(civility, masculine, feminine)


@register.filter
def plural(count, forms: str) -> str:
    singular, plural_form = forms.split(",")
    return french.plural(int(count), singular, plural_form)
