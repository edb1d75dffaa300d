"""A double click, or a POST sent again, returns the first result instead of creating a second:
every form that creates something carries a one-time key made when the form was shown."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dues.campaign import current_year
from dues.models import DepositSlip, Payment, Pledge
from members.models import Member, Submission
from tests.factories import IndividualFactory, PaymentFactory
from tests.helpers import individual_post, paper_post, submission_key, text

pytestmark = pytest.mark.django_db


def test_a_double_click_on_the_adhesion_form_makes_one_member_and_one_pledge(client, cac):
    key = submission_key(client.get("/adhesion/"))
    data = individual_post(submission_key=key)
    first = client.post("/adhesion/", data)
    second = client.post("/adhesion/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Member.objects.count() == 1
    pledge = Pledge.objects.get()
    assert pledge.reference in text(client.get(second["Location"]))
    assert Submission.objects.get(key=key).target == pledge


def test_each_showing_of_the_form_has_its_own_key(client, cac):
    assert submission_key(client.get("/adhesion/")) != submission_key(client.get("/adhesion/"))


def test_a_replayed_payment_entry_records_one_payment(client, staff_user):
    client.force_login(staff_user)
    member = IndividualFactory()
    key = submission_key(client.get(reverse("dues:desk")))
    data = {
        "submission_key": key,
        "member": member.pk,
        "method": "transfer",
        "amount": "50",
        "received_on": timezone.localdate().isoformat(),
        "year": current_year(),
    }
    assert client.post(reverse("dues:desk"), data).status_code == 302
    assert client.post(reverse("dues:desk"), data).status_code == 302
    assert Payment.objects.count() == 1


def test_a_replayed_slip_creation_makes_one_slip(client, staff_user):
    client.force_login(staff_user)
    cheques = [PaymentFactory(amount=Decimal("20")) for _ in range(2)]
    key = submission_key(client.get(reverse("dues:slip_new")))
    data = {"submission_key": key, "payments": [c.pk for c in cheques]}
    first = client.post(reverse("dues:slip_new"), data)
    second = client.post(reverse("dues:slip_new"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert DepositSlip.objects.count() == 1


def test_a_replayed_paper_form_makes_one_member(client, staff_user):
    client.force_login(staff_user)
    key = submission_key(client.get(reverse("dues:paper_form")))
    data = paper_post(signed_days_ago=0, submission_key=key)
    first = client.post(reverse("dues:paper_form"), data)
    second = client.post(reverse("dues:paper_form"), data)
    assert first.status_code == second.status_code == 302
    assert Member.objects.count() == 1
    assert Payment.objects.count() == 1


def test_the_key_is_a_hidden_field_of_every_creating_form(client, staff_user):
    PaymentFactory()  # a cheque waiting, so that the new-slip page has its form
    client.force_login(staff_user)
    for name in ("desk", "paper_form", "slip_new", "member_new", "merge"):
        page = text(client.get(reverse(f"dues:{name}")))
        assert re.search(r'<input type="hidden" name="submission_key" value="[0-9a-f-]{36}"', page)
