"""The member space's renewal, as a member tries it: offered only for a year whose campaign is
open and that the member has not pledged for yet, confirmed on a page titled with that year,
never emailed twice; the status says where the member stands and how to pay."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from dues.campaign import current_year
from dues.models import Pledge, PledgeSource, RenewalCampaign
from tests.factories import PaymentFactory, PledgeFactory
from tests.helpers import individual_post, member_of, subscribed, text


def visible(response):
    """The page's text as read on screen: tags dropped, white space folded."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", text(response)))


@pytest.fixture
def member(member_user):
    member = member_of(member_user)
    subscribed(member)
    return member


@pytest.fixture
def logged_in(client, member, member_user):
    client.force_login(member_user)
    return client


def next_campaign_open():
    return RenewalCampaign.objects.create(year=current_year() + 1, opens_on=timezone.localdate())


def paid_this_year(member, amount="100"):
    pledge = PledgeFactory(member=member, year=current_year(), amount=Decimal(amount))
    PaymentFactory(member=member, pledge=pledge, year=current_year(), amount=Decimal(amount))


def test_no_renewal_offered_for_the_year_just_pledged(logged_in, member):
    PledgeFactory(member=member, year=current_year(), amount=Decimal("50"))
    page = text(logged_in.get("/compte/"))
    assert "Renouveler pour" not in page


def test_no_renewal_for_next_year_before_its_campaign_opens(logged_in, member):
    paid_this_year(member)
    page = text(logged_in.get("/compte/"))
    assert "Renouveler pour" not in page
    assert logged_in.post("/compte/renouveler/", {"amount": "100"}).status_code == 302
    assert not Pledge.objects.filter(year=current_year() + 1).exists()


def test_renewal_asks_for_confirmation_on_a_page_titled_with_its_year(logged_in, member):
    paid_this_year(member)
    next_campaign_open()
    page = text(logged_in.get("/compte/"))
    assert 'href="/compte/renouveler/"' in page
    assert f"Renouveler pour {current_year() + 1}" in page
    confirm = text(logged_in.get("/compte/renouveler/"))
    assert f"<h1>Renouveler votre adhésion pour {current_year() + 1}</h1>" in confirm
    assert f"en {current_year()}" not in confirm
    assert re.search(r'value="100.00"[^>]*checked', confirm)  # the last amount, pre-selected
    assert "Confirmer" in confirm
    assert not Pledge.objects.filter(year=current_year() + 1).exists()


def test_the_second_click_shows_the_pledge_and_sends_nothing(
    logged_in, member, django_capture_on_commit_callbacks
):
    paid_this_year(member)
    next_campaign_open()
    with django_capture_on_commit_callbacks(execute=True):
        first = logged_in.post("/compte/renouveler/", {"amount": "100.00"})
    assert first["Location"] == "/adhesion/merci/"
    assert len(mail.outbox) == 1
    assert "créez votre compte" not in mail.outbox[0].body
    pledge = Pledge.objects.get(year=current_year() + 1)
    assert (pledge.amount, pledge.source) == (Decimal("100.00"), PledgeSource.RENEWAL)
    assert "Renouveler pour" not in text(logged_in.get("/compte/"))
    with django_capture_on_commit_callbacks(execute=True):
        second = logged_in.post("/compte/renouveler/", {"amount": "100.00"})
    assert second.status_code == 302
    assert Pledge.objects.filter(year=current_year() + 1).count() == 1
    assert len(mail.outbox) == 1


def test_another_amount_on_the_confirmation_page(logged_in, member):
    paid_this_year(member)
    next_campaign_open()
    logged_in.post("/compte/renouveler/", {"amount": "other", "other_amount": "75"})
    assert Pledge.objects.get(year=current_year() + 1).amount == Decimal("75.00")


def test_a_wrong_amount_comes_back_with_its_error(logged_in, member):
    paid_this_year(member)
    next_campaign_open()
    page = text(logged_in.post("/compte/renouveler/", {"amount": "other", "other_amount": "-3"}))
    assert 'value="-3"' in page
    assert "montant" in page.lower()
    assert not Pledge.objects.filter(year=current_year() + 1).exists()


def test_status_up_to_date(logged_in, member):
    paid_this_year(member, "50")
    page = visible(logged_in.get("/compte/"))
    assert f"{current_year()} : à jour pour {current_year()}" in page


def test_status_waiting_for_the_payment_says_how_to_pay(logged_in, member):
    PledgeFactory(member=member, year=current_year(), amount=Decimal("50"))
    page = visible(logged_in.get("/compte/"))
    assert f"{current_year()} : en attente de votre règlement de 50,00\u00a0€" in page
    assert "Par chèque : à l'ordre de" in page
    assert 'href="#to-pay"' in text(logged_in.get("/compte/"))


def test_status_former_member_after_two_years_without_payment(logged_in, member):
    year = current_year()
    PaymentFactory(member=member, year=year - 3, received_on=datetime.date(year - 3, 5, 1))
    page = visible(logged_in.get("/compte/"))
    assert f"{year} : ancien membre" in page
    assert "pas encore à jour" not in page


def test_status_not_yet_up_to_date_invites_to_renew(logged_in, member):
    year = current_year()
    PaymentFactory(member=member, year=year - 1, received_on=datetime.date(year - 1, 5, 1))
    page = visible(logged_in.get("/compte/"))
    assert f"{year} : pas encore à jour" in page
    assert f"Renouveler pour {year}" in page


def test_the_confirmation_email_never_asks_an_account_holder_to_create_one(
    logged_in, member, django_capture_on_commit_callbacks
):
    PaymentFactory(
        member=member, year=current_year() - 1, received_on=datetime.date(current_year() - 1, 5, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/compte/renouveler/", {"amount": "50.00"})
    (email,) = mail.outbox
    assert "créez votre compte" not in email.body
    assert "créez votre compte" not in email.alternatives[0][0]
    assert "/compte/" in email.body


def test_the_confirmation_email_asks_someone_without_account_to_create_one(
    client, cac, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/adhesion/", individual_post(**{"ind-email": "nouvelle@example.org"}))
    (email,) = mail.outbox
    assert "créez votre compte avec l'adresse nouvelle@example.org" in email.body
