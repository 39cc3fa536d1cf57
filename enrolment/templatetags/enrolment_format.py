"""French formats for amounts and phone numbers in pages and PDFs."""

import phonenumbers
from django import template

from mutuelle.formatting import euros, percent

register = template.Library()

register.filter("euros", euros)
register.filter("percent", percent)


def _national(value) -> str:
    if not value:
        return ""
    number = value if isinstance(value, phonenumbers.PhoneNumber) else None
    if number is None:
        try:
            number = phonenumbers.parse(str(value), "FR")
        except phonenumbers.NumberParseException:
            return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.filter
def phone_fr(value) -> str:
    """``+33612345678`` → ``06 12 34 56 78``."""
    return _national(value)


@register.filter
def phone_masked(value) -> str:
    """``+33612345678`` → ``06 •• •• •• 78``: enough for the signer to recognise it."""
    national = _national(value).replace(" ", "")
    if len(national) < 6:
        return "••"
    return f"{national[:2]} •• •• •• {national[-2:]}"
