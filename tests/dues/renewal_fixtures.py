"""What the renewal reminders' tests share: next year's campaign (2027 when the suite's clock is
in 2026) opening on 1 December of this year, and members who were up to date this year."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from dues.models import RenewalCampaign
from tests import clock
from tests.factories import IndividualFactory, OrganisationFactory, PaymentFactory
from tests.helpers import paris

YEAR = clock.NEXT_YEAR
OPENS = datetime.date(clock.YEAR, 12, 1)
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


@pytest.fixture
def opening_day():
    """The test runs on the campaign's opening day (9:00 in Paris), time moving on from there:
    what the treasurer sets up, the links signed and the logins made that day."""
    with time_machine.travel(at(OPENS)):
        yield
