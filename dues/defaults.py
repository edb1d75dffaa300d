"""The brochure's indicative scales, loaded for a campaign year that has none."""

from decimal import Decimal

from django.db import transaction

from cac_portal import published
from dues.models import Scale, Tier
from members.models import MemberKind

INDIVIDUAL_TIERS = [
    ("10", "10 € pour les personnes non imposables"),
    ("50", "50 € adhésion"),
    ("100", "100 € si le quotient familial annuel est supérieur à 15 000 €"),
]

ORGANISATION_TIERS = [
    ("20", "2000", "20 € si le budget annuel est inférieur à 2 000 €"),
    ("50", "20000", "50 € en deçà de 20 000 €"),
    ("100", "200000", "100 € en deçà de 200 000 €"),
    ("200", "1000000", "200 € en deçà de 1 000 000 €"),
    ("500", "5000000", "500 € en deçà de 5 000 000 €"),
    ("1000", None, "1 000 € au-delà"),
]


@transaction.atomic
def load(year):
    """The brochure's scale for `year`, unless that year already has one (edited or not)."""
    if Scale.objects.filter(year=year).exists():
        return False
    scale = Scale.objects.create(
        year=year,
        tax_reduction_rate=Decimal("0.66"),
    )
    tiers = [
        Tier(
            scale=scale,
            member_kind=MemberKind.INDIVIDUAL,
            position=position,
            label=label,
            amount=Decimal(amount),
        )
        for position, (amount, label) in enumerate(INDIVIDUAL_TIERS, start=1)
    ]
    tiers += [
        Tier(
            scale=scale,
            member_kind=MemberKind.ORGANISATION,
            position=position,
            label=label,
            amount=Decimal(amount),
            budget_ceiling=Decimal(ceiling) if ceiling else None,
        )
        for position, (amount, ceiling, label) in enumerate(ORGANISATION_TIERS, start=1)
    ]
    Tier.objects.bulk_create(tiers)
    published.changed()  # bulk_create sends no signal
    return True
