"""`{% load transfers %}`: a pledge's creditor reference and an IBAN as people copy them, and
why matching proposes what it proposes.

`{{ pledge|creditor_reference }}` → "RF47 CAC0 0012 3A20 26"; `{{ iban|grouped }}` →
"FR76 4255 9100 0008 0012 3456 771" (groups of four, the way banks print them);
`{{ suggestion|why }}` → "référence RF47 … dans le virement ; promesse 2026 de 50,00 €".
"""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from charter.templatetags.money import format_euros
from dues.models import MatchRule
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


@register.filter
def why(suggestion):
    """What a matching suggestion found, and what it would pay, in a sentence for staff."""
    found = _FOUND[suggestion.rule]
    if suggestion.deposit_slip_id is not None:
        slip = suggestion.deposit_slip
        deposited = timezone.localtime(slip.deposited_at).date() if slip.deposited_at else None
        return found % {
            "evidence": slip.number,
            "date": deposited.strftime("%d/%m/%Y") if deposited else "—",
        }
    evidence = suggestion.evidence
    if suggestion.rule == MatchRule.KNOWN_ACCOUNT:
        evidence = grouped(evidence)
    return f"{found % {'evidence': evidence}} ; {_pays(suggestion)}"


def _pays(suggestion):
    if suggestion.payment_id is not None:
        return _("virement déjà saisi à la main le %(date)s : la ligne s'y rattache") % {
            "date": suggestion.payment.received_on.strftime("%d/%m/%Y")
        }
    pledge = suggestion.pledge
    if pledge is None:
        return _("aucune promesse en attente : paiement pour %(year)s") % {"year": suggestion.year}
    values = {
        "year": pledge.year,
        "purpose": pledge.get_purpose_display(),
        "amount": format_euros(pledge.amount),
    }
    if pledge.amount == suggestion.line.amount:
        return _("promesse %(year)s (%(purpose)s) de %(amount)s") % values
    return _("promesse %(year)s (%(purpose)s) de %(amount)s, montant différent") % values


_FOUND = {
    MatchRule.CREDITOR_REFERENCE: _lazy("référence %(evidence)s dans le virement"),
    MatchRule.MEMBER_REFERENCE: _lazy("référence de membre %(evidence)s dans le libellé"),
    MatchRule.KNOWN_ACCOUNT: _lazy("compte %(evidence)s, déjà rapproché de ce membre"),
    MatchRule.SLIP_TOTAL: _lazy("total du bordereau %(evidence)s, remis le %(date)s"),
    MatchRule.AMOUNT_AND_NAME: _lazy("même montant qu'une promesse, nom proche : « %(evidence)s »"),
}
