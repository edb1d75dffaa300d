"""`{% load money %}{{ amount|euros }}`: amounts the French way, "1 000,00 €".

Lives in `charter`, the bottom layer, so that every app's templates may load it.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

# A no-break space between the groups of thousands and before the sign: the amount never wraps
# across two lines (French typography, and Django's own `fr` THOUSAND_SEPARATOR).
NBSP = "\u00a0"


def format_euros(value, decimals=2):
    """Decimal (or int, or numeric string) → "1 000,00 €"; anything else → "" (never raises)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not amount.is_finite():
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.{decimals}f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NBSP.join(groups)
    if fraction:
        text = f"{text},{fraction}"
    return f"{sign}{text}{NBSP}€"


@register.filter
def euros(value, decimals=2):
    """`{{ amount|euros }}` → "1 000,00 €"; `{{ amount|euros:0 }}` → "1 000 €"."""
    try:
        decimals = int(decimals)
    except (TypeError, ValueError):
        decimals = 2
    return format_euros(value, max(decimals, 0))
