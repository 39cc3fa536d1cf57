"""French formats for amounts and phone numbers in pages and PDFs."""

from decimal import ROUND_HALF_UP, Decimal

import phonenumbers
from django import template

register = template.Library()

NBSP = "\u00a0"


@register.filter
def euros(value) -> str:
    """``1234.5`` → ``1 234,50 €`` (no-break spaces: the amount never wraps)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€"


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
