"""What the renewal reminders' tests share: the 2027 campaign opening on 1 December 2026, and
members who were up to date in 2026."""

import datetime
from decimal import Decimal

from dues.models import RenewalCampaign
from tests.factories import IndividualFactory, OrganisationFactory, PaymentFactory
from tests.helpers import paris

YEAR = 2027
OPENS = datetime.date(2026, 12, 1)
STEP_DAYS = [OPENS, OPENS + datetime.timedelta(days=30), OPENS + datetime.timedelta(days=60)]


def campaign(**overrides):
    return RenewalCampaign.objects.create(
        year=YEAR, opens_on=overrides.pop("opens_on", OPENS), **overrides
    )


def lapsed(amount="50.00", year=YEAR - 1, factory=IndividualFactory, **fields):
    """A member who paid `amount` for `year` and nothing since."""
    member = factory(**fields)
    PaymentFactory(
        member=member, year=year, amount=Decimal(amount), received_on=datetime.date(year, 3, 1)
    )
    return member


def lapsed_organisation(**fields):
    return lapsed("100.00", factory=OrganisationFactory, **fields)


def at(day, hour=9):
    return paris(day.year, day.month, day.day, hour)
