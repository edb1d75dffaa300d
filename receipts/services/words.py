"""Amounts for the receipts' own text: figures and French words, independent of the site's
display filters, so that a receipt rendered again years later reads the same."""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

NBSP = "\u00a0"
CENT = Decimal("0.01")


def euros_in_figures(amount):
    """Decimal("1234.5") → "1 234,50 €" (no-break spaces)."""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(amount):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sign = "-" if amount < 0 else ""
    return f"{sign}{NBSP.join(groups)},{fraction}{NBSP}€"


def _count_of(number, singular, plural):
    """ "un euro", "vingt et un euros", "un million d'euros", "deux millions d'euros".

    French puts "de" between a noun count (million, milliard) and the unit when nothing follows:
    "un million d'euros" but "un million cent euros".
    """
    words = num2words(number, lang="fr")
    if number == 1:
        return f"{words} {singular}"
    if words.endswith(("million", "millions", "milliard", "milliards")):
        return f"{words} d'{plural}" if plural[0] in "aeioué" else f"{words} de {plural}"
    return f"{words} {plural}"


def euros_in_words(amount):
    """Decimal("120.50") → "cent vingt euros et cinquante centimes"; 0,01 → "un centime".

    num2words' own currency mode is wrong for French ("zéro euros", a million read as ten
    thousand), so the units are ours and num2words only spells the whole numbers.
    """
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("a receipt's amount is never negative")
    whole = int(amount)
    cents = int((amount - whole) * 100)
    parts = []
    if whole:
        parts.append(_count_of(whole, "euro", "euros"))
    if cents:
        parts.append(_count_of(cents, "centime", "centimes"))
    if not parts:
        return "zéro euro"
    return " et ".join(parts)
