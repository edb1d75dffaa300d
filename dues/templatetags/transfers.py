"""`{% load transfers %}`: a pledge's creditor reference and an IBAN, as people copy them.

`{{ pledge|creditor_reference }}` → "RF47 CAC0 0012 3A20 26"; `{{ iban|grouped }}` →
"FR76 4255 9100 0008 0012 3456 771". Both in groups of four, the way banks print them.
"""

from django import template

from dues.references import creditor_reference as compact_reference
from dues.references import format_reference

register = template.Library()


@register.filter
def creditor_reference(pledge):
    return format_reference(compact_reference(pledge))


@register.filter
def grouped(value):
    """A compact IBAN, BIC or reference in groups of four characters."""
    compact = "".join(str(value or "").split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
