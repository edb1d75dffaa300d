"""New Year's Eve at 23:30 UTC is already 1 January in Paris: every year the portal decides is
the collective's (Europe/Paris), never the server's (UTC) nor a naive clock's."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cac_portal.celery import app as celery_app
from dues.models import Pledge, RenewalCampaign
from dues.services import reminders
from dues.services.renewals import renewal_year
from receipts.models import Receipt
from receipts.services import issue_annual_receipts
from tests import clock
from tests.factories import IndividualFactory, PaymentFactory
from tests.helpers import individual_post, subscribed, text

pytestmark = pytest.mark.django_db

YEAR = clock.YEAR
UTC = datetime.UTC
# 23:30 on 31 December in Paris, then one hour later: 00:30 on 1 January there, while the
# server's UTC clock still says 31 December.
LAST_EVENING = datetime.datetime(YEAR, 12, 31, 22, 30, tzinfo=UTC)
NEW_YEAR = datetime.datetime(YEAR, 12, 31, 23, 30, tzinfo=UTC)


def donor_of_this_year():
    donor = IndividualFactory(first_name="Lucie", last_name="Aubrac", email="lucie@example.org")
    PaymentFactory(
        member=donor, year=YEAR, amount=Decimal("60"), received_on=datetime.date(YEAR, 6, 15)
    )
    return donor


def test_the_january_batch_waits_for_midnight_in_paris(cac, django_capture_on_commit_callbacks):
    donor = donor_of_this_year()
    too_early = pytest.raises(ValidationError, match=f"qu'à partir du 1er janvier {YEAR + 1}")
    with time_machine.travel(LAST_EVENING, tick=False), too_early:
        issue_annual_receipts(YEAR, actor=None)
    with (
        time_machine.travel(NEW_YEAR, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        issue_annual_receipts(YEAR, actor=None)
    receipt = Receipt.objects.get(member=donor)
    assert (receipt.fiscal_year, receipt.issued_on) == (YEAR, datetime.date(YEAR + 1, 1, 1))
    assert receipt.number == f"{YEAR + 1}-00001", "numbered in the year of issue, in Paris"


def test_beat_starts_the_batch_on_2_january_at_6_in_paris():
    entry = next(
        value
        for value in celery_app.conf.beat_schedule.values()
        if value["task"].endswith("start_annual_batch")
    )
    with time_machine.travel(NEW_YEAR, tick=False):
        schedule = entry["schedule"]
        last_run = datetime.datetime(YEAR, 1, 2, 5, 0, tzinfo=UTC)
        due, _ = schedule.is_due(last_run)
        wait = schedule.remaining_estimate(last_run)
    assert not due
    assert NEW_YEAR + wait == datetime.datetime(YEAR + 1, 1, 2, 5, 0, tzinfo=UTC)


def test_the_form_asks_for_the_dues_of_the_year_in_paris(client, cac):
    with time_machine.travel(LAST_EVENING, tick=False):
        assert f"Adhérer ou soutenir le CAC en {YEAR}" in text(client.get("/adhesion/"))
    with time_machine.travel(NEW_YEAR, tick=False):
        assert f"Adhérer ou soutenir le CAC en {YEAR + 1}" in text(client.get("/adhesion/"))
        client.post("/adhesion/", individual_post())
    assert Pledge.objects.get().year == YEAR + 1


def test_the_renewal_offered_turns_to_the_new_year_at_midnight_in_paris(cac):
    member = subscribed(IndividualFactory())
    PaymentFactory(
        member=member,
        year=YEAR - 1,
        amount=Decimal("50"),
        received_on=datetime.date(YEAR - 1, 3, 1),
    )
    with time_machine.travel(LAST_EVENING, tick=False):
        assert renewal_year(member) == YEAR
    with time_machine.travel(NEW_YEAR, tick=False):
        assert renewal_year(member) == YEAR + 1


def test_a_campaign_opening_on_1_january_sends_its_first_reminders_then(cac):
    RenewalCampaign.objects.create(year=YEAR + 1, opens_on=datetime.date(YEAR + 1, 1, 1))
    member = IndividualFactory(email="fidele@example.org")
    PaymentFactory(
        member=member, year=YEAR, amount=Decimal("50"), received_on=datetime.date(YEAR, 3, 1)
    )
    with time_machine.travel(LAST_EVENING, tick=False):
        assert reminders.send_reminders().decided == 0
    with time_machine.travel(NEW_YEAR, tick=False):
        assert reminders.send_reminders().decided == 1
    assert member.renewal_reminders.get().campaign.year == YEAR + 1
