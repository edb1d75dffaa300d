"""Years and dates stay within what the collective has lived: dues years from its first year to
the next campaign, dates received neither in the future nor before its first year. Refused with
a message next to the field by the forms, and by the service for any other caller."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.models import Collective
from dues.campaign import current_year
from dues.models import Payment, Pledge, Scale
from dues.services.payments import record_payment
from tests import clock
from tests.factories import IndividualFactory
from tests.helpers import desk_entry, paper_post

pytestmark = pytest.mark.django_db

TODAY = clock.TODAY
LAST = clock.NEXT_YEAR
YEAR_MESSAGE = f"L'année doit être comprise entre 2010 et {LAST}."


@pytest.fixture
def lucie(cac):
    return IndividualFactory(first_name="Lucie", last_name="Aubrac")


def test_the_cac_was_founded_in_2010_and_dues_go_up_to_the_next_campaign(cac):
    from dues.campaign import dues_years

    assert Collective.load().founded_year == 2010
    assert dues_years() == range(2010, LAST + 1)
    Scale.objects.create(year=LAST + 2)
    assert dues_years() == range(2010, LAST + 3)
    # As the administrator's form saves it (the collective is kept between requests, and an
    # edit drops it: cac_portal.published).
    collective = Collective.load()
    collective.founded_year = 2015
    collective.save()
    assert dues_years()[0] == 2015


@pytest.mark.parametrize("year", ["32768", "32767", "9999", "99999999999", "2009", "0", "-1"])
def test_the_desk_refuses_a_year_out_of_range_next_to_the_field(staff_client, lucie, year):
    response = staff_client.post(reverse("dues:desk"), desk_entry(lucie, year=year))
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [YEAR_MESSAGE]
    assert YEAR_MESSAGE.replace("'", "&#x27;") in response.content.decode()
    # Nothing typed is lost.
    assert 'value="1234567"' in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("year", [2010, LAST])
def test_the_desk_accepts_the_first_and_the_last_year(staff_client, lucie, year):
    assert staff_client.post(reverse("dues:desk"), desk_entry(lucie, year=year)).status_code == 302
    assert Payment.objects.get().year == year


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        ("0001-01-01", "antérieure au 1er janvier 2010"),
        ("2009-12-31", "antérieure au 1er janvier 2010"),
        ("9999-12-31", "dans le futur"),
        ((TODAY + datetime.timedelta(days=1)).isoformat(), "dans le futur"),
    ],
)
def test_the_desk_refuses_a_date_received_out_of_range(staff_client, lucie, received_on, message):
    response = staff_client.post(reverse("dues:desk"), desk_entry(lucie, received_on=received_on))
    assert response.status_code == 200
    assert message in response.context["form"].errors["received_on"][0]
    assert not Payment.objects.exists()


def test_the_desk_accepts_the_first_day_and_today(staff_client, lucie):
    staff_client.post(reverse("dues:desk"), desk_entry(lucie, received_on="2010-01-01"))
    staff_client.post(
        reverse("dues:desk"),
        desk_entry(lucie, received_on=TODAY.isoformat(), cheque_number="7777777"),
    )
    assert sorted(Payment.objects.values_list("received_on", flat=True)) == [
        datetime.date(2010, 1, 1),
        TODAY,
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"year": "32768"}, "year", YEAR_MESSAGE),
        ({"year": "9999"}, "year", YEAR_MESSAGE),
        ({"received_on": "0001-01-01"}, "received_on", "antérieure au 1er janvier 2010"),
        ({"signed_on": "0001-01-01"}, "signed_on", "antérieure au 1er janvier 2010"),
        ({"signed_on": "9999-12-31"}, "signed_on", "dans le futur"),
    ],
)
def test_the_paper_form_refuses_years_and_dates_out_of_range(
    staff_client, overrides, field, message
):
    response = staff_client.post(reverse("dues:paper_form"), paper_post(**overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    # What was typed is still there.
    assert 'value="Aubrac"' in response.content.decode()
    assert not Pledge.objects.exists() and not Payment.objects.exists()


def pay(member, **overrides):
    values = {
        "member": member,
        "amount": Decimal("50"),
        "method": "transfer",
        "received_on": TODAY,
        "year": current_year(),
        "actor": None,
    }
    return record_payment(**{**values, **overrides})


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"year": 9999}, "year"),
        ({"year": 32768}, "year"),
        ({"year": 2009}, "year"),
        ({"received_on": datetime.date(1, 1, 1)}, "received_on"),
        ({"received_on": TODAY + datetime.timedelta(days=1)}, "received_on"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"received_on": "01/02/2026"}, "received_on"),
        ({"amount": Decimal("10000000000")}, "amount"),
    ],
)
def test_the_service_refuses_them_for_any_caller(lucie, overrides, field):
    with pytest.raises(ValidationError) as error:
        pay(lucie, **overrides)
    assert field in error.value.error_dict
    assert not Payment.objects.exists()


def test_the_service_records_the_bounds(lucie):
    pay(lucie, year=2010, received_on=datetime.date(2010, 1, 1))
    pay(lucie, year=LAST, received_on=TODAY)
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("key", ["year", "up_to_date"])
@pytest.mark.parametrize("value", ["99999999999", "32768", "-1", "9999"])
def test_the_lists_say_the_year_is_out_of_range(staff_client, lucie, key, value):
    name = "dues:payment_list" if key == "year" else "dues:member_list"
    response = staff_client.get(reverse(name), {key: value})
    assert response.status_code == 200
    assert response.context["form"].errors[key] == [YEAR_MESSAGE]


@pytest.mark.parametrize("value", ["99999999999", "32768", "-5", "1000", "abc", "\x00"])
def test_the_treasury_shows_last_year_for_a_year_out_of_range(client, treasurer_user, value):
    client.force_login(treasurer_user)
    response = client.get(reverse("receipts:treasury"), {"annee": value})
    assert response.status_code == 200
    assert response.context["year"] == current_year() - 1


# The current year itself is refused by the service, which says from when it may run
# (tests/receipts/test_fiscal_year.py).
@pytest.mark.parametrize("value", ["32768", "99999999999", "2009", str(clock.NEXT_YEAR)])
def test_the_batch_is_for_a_year_that_is_over(client, treasurer_user, value):
    from receipts.models import AnnualBatch

    client.force_login(treasurer_user)
    response = client.post(reverse("receipts:batch_start"), {"fiscal_year": value}, follow=True)
    assert response.status_code == 200
    assert not AnnualBatch.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"Choisissez une année terminée, entre 2010 et {current_year() - 1}."], (
        messages
    )
