"""The treasurer's renewal campaigns (/tresorerie/relances/): the schedule, next year's scale
in one click, the pause switch, the dry run, and what each step brought back."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from dues.models import RenewalCampaign, Scale
from dues.services import campaigns, reminders
from members.models import AuditEntry
from tests.dues.renewal_fixtures import (
    OPENS,
    STEP_DAYS,
    YEAR,
    at,
    campaign,
    lapsed,
    opening_day,  # noqa: F401 (a fixture)
)
from tests.factories import PaymentFactory, PledgeFactory
from tests.helpers import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("opening_day")]
PAGE = "/tresorerie/relances/"


@pytest.fixture
def treasurer(client, treasurer_user):
    client.force_login(treasurer_user)
    return client


def test_staff_see_what_the_treasurer_changes(client, cac, member_user, staff_user):
    campaign()
    member = lapsed()
    assert client.get(PAGE).status_code == 302
    client.force_login(member_user)
    assert client.get(PAGE).status_code == 403
    client.force_login(staff_user)
    with time_machine.travel(at(OPENS), tick=False):
        page = text(client.get(PAGE))
    assert member.reference in page and "Relances et renouvellements" in page
    assert "Enregistrer le calendrier" not in page and "Suspendre les relances" not in page
    data = {"opens_on": OPENS.isoformat(), "steps": "0", "paused": "1"}
    for url in (f"{PAGE}{YEAR}/", f"{PAGE}{YEAR}/pause/", f"{PAGE}{YEAR + 1}/bareme/"):
        assert client.post(url, data).status_code == 403
    assert not RenewalCampaign.objects.get().paused


def test_the_schedule_is_saved_and_audited(treasurer, cac):
    response = treasurer.post(
        f"{PAGE}{YEAR}/", {"opens_on": OPENS.isoformat(), "steps": "0, +15, 45"}
    )
    assert response["Location"] == f"{PAGE}?annee={YEAR}"
    saved = RenewalCampaign.objects.get(year=YEAR)
    assert (saved.opens_on, saved.steps) == (OPENS, [0, 15, 45])
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RENEWAL_CAMPAIGN_CHANGED).exists()
    page = text(treasurer.get(f"{PAGE}?annee={YEAR}"))
    assert f"Relance 2 : 16 décembre {OPENS.year}" in page


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        ("30, 0", "dans l'ordre"),
        ("0, tomorrow", "séparés par des virgules"),
        ("0, 400", "entre 0 et 365"),
        ("", "obligatoire"),
    ],
)
def test_a_wrong_schedule_comes_back_with_its_error(treasurer, cac, steps, error):
    response = treasurer.post(f"{PAGE}{YEAR}/", {"opens_on": OPENS.isoformat(), "steps": steps})
    assert response.status_code == 400
    page = text(response)
    assert error in page
    assert not steps or f'value="{steps}"' in page  # what was typed stays
    assert not RenewalCampaign.objects.exists()


def test_an_opening_day_far_from_its_year_is_refused(treasurer, cac):
    response = treasurer.post(f"{PAGE}{YEAR}/", {"opens_on": "2020-01-01", "steps": "0"})
    assert response.status_code == 400
    assert f"La campagne {YEAR} ouvre en {YEAR - 1} ou en {YEAR}." in text(response)


def test_next_years_scale_in_one_click(treasurer, cac):
    year = YEAR + 1
    assert not Scale.objects.filter(year=year).exists()
    page = text(treasurer.get(f"{PAGE}?annee={year}"))
    assert f"Aucun barème pour {year}" in page
    treasurer.post(f"{PAGE}{year}/bareme/")
    scale = Scale.objects.get(year=year)
    before = Scale.objects.get(year=YEAR)
    assert sorted(scale.tiers.values_list("member_kind", "position", "amount")) == sorted(
        before.tiers.values_list("member_kind", "position", "amount")
    )
    response = treasurer.post(f"{PAGE}{year}/bareme/", follow=True)
    assert f"Le barème {year} existe déjà." in text(response)


def test_the_pause_switch(treasurer, cac):
    campaign()
    lapsed()
    treasurer.post(f"{PAGE}{YEAR}/pause/", {"paused": "1"})
    assert RenewalCampaign.objects.get().paused
    with time_machine.travel(at(OPENS), tick=False):
        assert "Les relances sont suspendues." in text(treasurer.get(f"{PAGE}?annee={YEAR}"))
        reminders.send_reminders()
    assert mail.outbox == []
    treasurer.post(f"{PAGE}{YEAR}/pause/", {"paused": "0"})
    with time_machine.travel(at(OPENS), tick=False):
        reminders.send_reminders()
    assert len(mail.outbox) == 1


def test_the_dry_run_lists_the_next_recipients(treasurer, cac):
    campaign()
    member = lapsed()
    with time_machine.travel(at(OPENS), tick=False):
        page = text(treasurer.get(f"{PAGE}?annee={YEAR}"))
    assert "Prochain envoi : 1 relance" in page
    assert member.reference in page and member.email in page
    assert mail.outbox == []


def test_conversion_per_step(treasurer, cac):
    campaign()
    early, late, never, unsubscribed = (lapsed() for _ in range(4))
    with time_machine.travel(at(OPENS), tick=False):
        reminders.send_reminders()
    with time_machine.travel(at(OPENS + datetime.timedelta(days=3)), tick=False):
        PledgeFactory(member=early, year=YEAR)
        reminders.unsubscribe(unsubscribed)
    with time_machine.travel(at(STEP_DAYS[1]), tick=False):
        reminders.send_reminders()
    with time_machine.travel(at(STEP_DAYS[1] + datetime.timedelta(days=2)), tick=False):
        PaymentFactory(member=late, year=YEAR, amount=Decimal("50"))
    rows = campaigns.figures(RenewalCampaign.objects.get())
    assert [(r.step, r.sent, r.renewed, r.rate) for r in rows] == [
        (1, 4, 1, 25),
        (2, 2, 1, 50),
        (3, 0, 0, None),
    ]
    page = text(treasurer.get(f"{PAGE}?annee={YEAR}"))
    assert unsubscribed.reference in page.split("Désabonnés des relances")[1]
    assert never.reference in page.split("Relances envoyées")[1]
