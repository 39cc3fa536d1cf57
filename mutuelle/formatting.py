"""French formats for amounts and rates, shared by pages, PDFs, e-mails and the admin."""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


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


def percent(value) -> str:
    """``Decimal("150.00")`` → ``150 %``; ``62.5`` → ``62,5 %``."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(str(value)).normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"
