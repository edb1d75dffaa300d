"""The renewal reminders are personal data too: the download lists them among the emails sent,
and a closure erases the addresses they went to."""

import pytest
import time_machine

from cac_portal.celery import app as celery_app
from dues.models import Reminder
from members.closure import close_member
from members.personal_data import collect
from tests.dues.renewal_fixtures import OPENS, YEAR, at, campaign, lapsed, opening_day  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("opening_day")]


@pytest.fixture
def reminded(cac):
    campaign()
    member = lapsed(email="rappel@example.org")
    with time_machine.travel(at(OPENS), tick=False):
        celery_app.tasks["dues.tasks.send_renewal_reminders"].delay().get()
    return member


def test_the_download_lists_the_reminders_sent(reminded):
    document, _files = collect(reminded)
    reminders = [email for email in document["courriels"] if email["type"] == "relance"]
    assert reminders == [
        {
            "type": "relance",
            "annee": YEAR,
            "relance": 1,
            "a": "rappel@example.org",
            "envoye_le": reminders[0]["envoye_le"],
        }
    ]
    assert reminders[0]["envoye_le"].startswith(OPENS.isoformat())


def test_a_closure_erases_the_addresses_the_reminders_went_to(reminded):
    close_member(reminded, actor=None)
    reminder = Reminder.objects.get(member=reminded)
    assert reminder.recipients == []
    assert reminder.step == 1  # the fact that a reminder went stays, for the statistics
