"""The member space /compte/: status per year, pledges, payments, renewal, contact details."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from charter.models import Acceptance, Charter
from dues.campaign import current_year
from dues.models import PaymentStatus, Pledge, PledgeSource, RenewalCampaign
from tests.factories import PaymentFactory, PledgeFactory, last_year_date
from tests.helpers import member_of, subscribed

PASSWORD = "correct horse battery staple"


@pytest.fixture
def member(member_user):
    member = member_of(member_user)
    subscribed(member)
    return member


@pytest.fixture
def logged_in(client, member, member_user):
    client.force_login(member_user)
    return client


def test_anonymous_visitors_are_sent_to_the_login(client, cac):
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_status_per_year_follows_received_payments(logged_in, member):
    year = current_year()
    PaymentFactory(member=member, year=year - 1, received_on=last_year_date())
    PaymentFactory(
        member=member,
        year=year,
        amount=Decimal("1250"),
        status=PaymentStatus.REJECTED,
        status_reason="Sans provision",
    )
    PledgeFactory(member=member, year=year, amount=Decimal("1250"))
    page = logged_in.get("/compte/").content.decode()
    assert f'{year - 1} : <span class="badge ok">à jour pour {year - 1}' in page
    assert f'{year} : <span class="badge wait">en attente de votre règlement' in page
    assert "1\u00a0250,00\u00a0€" in page
    assert "rejeté (impayé)" in page
    assert member.reference in page


def test_a_member_never_sees_another_members_data(logged_in, stranger_user):
    other = member_of(stranger_user)
    PaymentFactory(member=other, amount=Decimal("777"))
    page = logged_in.get("/compte/").content.decode()
    assert other.reference not in page
    assert "777,00" not in page


def test_renewal_confirmed_in_the_member_space(logged_in, member):
    PledgeFactory(member=member, year=current_year(), amount=Decimal("100"))
    PaymentFactory(member=member, year=current_year(), amount=Decimal("100"))
    RenewalCampaign.objects.create(year=current_year() + 1, opens_on=timezone.localdate())
    page = logged_in.get("/compte/").content.decode()
    assert f"Renouveler pour {current_year() + 1}" in page
    response = logged_in.post("/compte/renouveler/", {"amount": "100.00"})
    assert response["Location"] == "/adhesion/merci/"
    pledge = Pledge.objects.get(year=current_year() + 1)
    assert (pledge.member, pledge.amount, pledge.source) == (
        member,
        Decimal("100.00"),
        PledgeSource.RENEWAL,
    )
    page = logged_in.get("/adhesion/merci/").content.decode()
    assert member.reference in page and "100,00\u00a0€" in page
    logged_in.post("/compte/renouveler/", {"amount": "100.00"})
    assert Pledge.objects.filter(year=current_year() + 1).count() == 1


def test_a_new_charter_is_asked_until_subscribed(client, member, member_user):
    new = Charter.objects.create(
        version=2,
        title="Charte des associations citoyennes",
        preamble="Nouveau préambule.",
        effective_on=timezone.localdate(),
    )
    response = client.post(
        "/accounts/login/", {"login": member_user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/compte/charte/"
    page = response.content.decode()
    assert "Nouveau préambule." in page
    assert "Vous aviez souscrit à la version 1." in page
    assert client.post("/compte/renouveler/", {"amount": "50.00"})["Location"] == "/compte/charte/"

    page = client.post("/compte/charte/", {}).content.decode()
    assert "Cochez la case pour souscrire à la charte." in page
    assert not Acceptance.objects.filter(member=member, charter=new).exists()

    response = client.post("/compte/charte/", {"charter-accept": "on"})
    assert response["Location"] == "/compte/"
    acceptance = Acceptance.objects.get(member=member, charter=new)
    assert acceptance.source == "online"
    page = client.get("/compte/").content.decode()
    assert "version 2" in page


def test_a_charter_not_yet_in_force_is_not_asked(logged_in):
    Charter.objects.create(
        version=3,
        title="Charte future",
        preamble="Plus tard.",
        effective_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert logged_in.get("/compte/").status_code == 200


def test_a_user_without_member_record_is_told_how_to_attach_one(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/compte/").content.decode()
    assert "Aucune adhésion n'est rattachée" in page


def test_editing_contact_details_uses_the_same_rules(logged_in, member):
    url = "/compte/coordonnees/"
    data = {
        "last_name": "Adhérente",
        "first_name": "Anne",
        "email": member.email,
        "street": "8 rue Neuve",
        "postal_code": "9710",
        "city": "Pointe-à-Pitre",
        "country": "FR",
        "phone_mobile": "0690 12 34 56",
    }
    page = logged_in.post(url, data).content.decode()
    assert "code postal français valide" in page
    assert 'value="8 rue Neuve"' in page
    response = logged_in.post(url, {**data, "postal_code": "97110"})
    assert response["Location"] == "/compte/"
    member.refresh_from_db()
    assert (member.street, member.postal_code, member.phone_mobile) == (
        "8 rue Neuve",
        "97110",
        "+590690123456",
    )
    assert "0690 12 34 56" in logged_in.get(url).content.decode()
