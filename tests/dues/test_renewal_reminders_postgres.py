"""Two runs of the renewal reminders at once on PostgreSQL (a second beat, two workers): each
member gets each step once, and the unique row is what decides."""

import pytest
import time_machine
from django.core import mail

from dues.models import Reminder, ReminderEmail
from dues.services import reminders
from tests.dues.renewal_fixtures import OPENS, at, campaign, lapsed, opening_day  # noqa: F401
from tests.helpers import run_at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("opening_day"),
]


def test_two_runs_at_once_send_each_step_once(cac):
    campaign()
    members = [lapsed() for _ in range(12)]
    with time_machine.travel(at(OPENS), tick=False):
        results = run_at_once([reminders.send_reminders, reminders.send_reminders])
    assert sum(r.decided for r in results) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    assert Reminder.objects.filter(email_status=ReminderEmail.SENT).count() == 12


def test_three_workers_and_a_sweep_at_once(cac):
    campaign()
    members = [lapsed() for _ in range(8)]
    with time_machine.travel(at(OPENS), tick=False):
        run_at_once([reminders.send_reminders] * 3 + [reminders.sweep])
    assert len(mail.outbox) == len(members)
    assert Reminder.objects.count() == len(members)
