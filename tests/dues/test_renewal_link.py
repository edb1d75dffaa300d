"""The one-click renewal from a reminder, without logging in: a signed link valid 60 days, a
page to confirm the amount (and a newer charter), the pledge made once, the instructions."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from charter.models import Acceptance, Charter
from charter.services import accept_charter
from dues.models import Pledge, PledgeSource
from dues.services.renewals import renewal_token
from members.models import AuditEntry
from tests.dues.renewal_fixtures import OPENS, YEAR, at, campaign, lapsed, opening_day  # noqa: F401
from tests.helpers import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("opening_day")]


@pytest.fixture
def member(cac):
    campaign()
    member = lapsed("100.00", first_name="Lucie", last_name="Aubrac")
    accept_charter(member, Charter.objects.current(), actor=None)
    return member


def link(member):
    return f"/renouveler/{renewal_token(member, YEAR)}/"


def test_the_link_shows_the_member_and_the_suggested_amount(client, member):
    with time_machine.travel(at(OPENS), tick=False):
        page = text(client.get(link(member)))
    assert f"<h1>Renouveler votre adhésion pour {YEAR}</h1>" in page
    assert "Lucie Aubrac" in page and member.reference in page
    assert re.search(r'value="100.00"[^>]*checked', page)
    assert 'value="10.00"' in page and 'value="other"' in page
    assert not Pledge.objects.exists()  # opening the link changes nothing


def test_confirming_makes_the_pledge_once_and_shows_the_instructions(
    client, member, django_capture_on_commit_callbacks
):
    url = link(member)
    with time_machine.travel(at(OPENS), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"amount": "other", "other_amount": "80"})
        assert response["Location"] == url
        page = text(client.get(url))
        with django_capture_on_commit_callbacks(execute=True):
            again = client.post(url, {"amount": "other", "other_amount": "120"})
    pledge = Pledge.objects.get()
    assert (pledge.member, pledge.year, pledge.amount, pledge.source) == (
        member,
        YEAR,
        Decimal("80.00"),
        PledgeSource.RENEWAL,
    )
    assert "Votre renouvellement est enregistré" in page
    assert "80,00\u00a0€" in page and member.reference in page
    assert "Pour régler par chèque" in page
    assert again.status_code == 200 and "80,00\u00a0€" in text(again)
    assert len(mail.outbox) == 1 and "80,00\u00a0€" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PLEDGE_RENEWED)
    assert entry.actor is None and entry.note == "lien de la relance"


def test_a_second_link_shows_the_existing_pledge(client, member):
    first = link(member)
    with time_machine.travel(at(OPENS), tick=False):
        client.post(first, {"amount": "100.00"})
    with time_machine.travel(at(OPENS + datetime.timedelta(days=30)), tick=False):
        second = link(member)
        assert second != first
        page = text(client.get(second))
    assert "Votre renouvellement est enregistré" in page and "100,00\u00a0€" in page
    assert Pledge.objects.count() == 1


def test_an_expired_link_offers_the_login_and_the_form(client, member):
    with time_machine.travel(at(OPENS), tick=False):
        url = link(member)
    with time_machine.travel(at(OPENS + datetime.timedelta(days=61)), tick=False):
        response = client.get(url)
        posted = client.post(url, {"amount": "100.00"})
    assert response.status_code == 400 and posted.status_code == 400
    page = text(response)
    assert "Ce lien de renouvellement a expiré." in page
    assert 'href="/accounts/login/?next=/compte/"' in page and 'href="/adhesion/"' in page
    assert not Pledge.objects.exists()


def test_a_link_still_valid_on_its_sixtieth_day(client, member):
    with time_machine.travel(at(OPENS), tick=False):
        url = link(member)
    with time_machine.travel(at(OPENS + datetime.timedelta(days=59)), tick=False):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("tamper", ["other member", "other year", "garbage"])
def test_a_tampered_link(client, member, tamper):
    token = renewal_token(member, YEAR)
    value, stamp, signature = token.rsplit(":", 2)
    if tamper == "other member":
        other = lapsed()
        token = f"{renewal_token(other, YEAR).rsplit(':', 2)[0]}:{stamp}:{signature}"
    elif tamper == "other year":
        token = f"{renewal_token(member, YEAR + 1).rsplit(':', 2)[0]}:{stamp}:{signature}"
    else:
        token = "garbage"
    response = client.post(f"/renouveler/{token}/", {"amount": "100.00"})
    assert response.status_code == 400
    assert "Ce lien de renouvellement n'est pas valide." in text(response)
    assert not Pledge.objects.exists()


def test_a_newer_charter_is_accepted_with_the_renewal(client, member):
    new = Charter.objects.create(
        version=2, title=f"Charte {YEAR}", preamble="Nouveau.", effective_on=OPENS
    )
    url = link(member)
    with time_machine.travel(at(OPENS), tick=False):
        page = text(client.post(url, {"amount": "100.00"}))
        assert "Cochez la case pour souscrire à la charte." in page
        assert not Pledge.objects.exists()
        client.post(url, {"amount": "100.00", "accept_charter": "on"})
    assert Pledge.objects.count() == 1
    assert Acceptance.objects.filter(member=member, charter=new).exists()


def test_the_link_of_a_member_up_to_date_says_so(client, member):
    from tests.factories import PaymentFactory

    PaymentFactory(member=member, year=YEAR, received_on=OPENS)
    with time_machine.travel(at(OPENS), tick=False):
        page = text(client.get(link(member)))
    assert f"Vous êtes à jour pour {YEAR}" in page
