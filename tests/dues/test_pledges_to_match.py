"""A pledge made with a member's address by someone not logged in waits, attached to nobody:
the address's owner attaches it (the emailed link, or the member space once logged in), or
staff do from /gestion/: to the member matched, to another one, or to a new member."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from charter.models import Acceptance, PrivacyAcceptance
from dues.campaign import current_year
from dues.models import Pledge
from dues.services import record_payment
from members.models import AuditEntry, Member
from tests.factories import IndividualFactory
from tests.helpers import individual_post, member_of, subscribed, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(client, member_user, django_capture_on_commit_callbacks):
    """A pledge sent from /adhesion/, not logged in, with the address of `member_user`."""
    with django_capture_on_commit_callbacks(execute=True):
        send_form(client, member_user)
    return Pledge.objects.get(member__isnull=True)


def send_form(client, member_user):
    client.post(
        "/adhesion/",
        individual_post(
            **{
                "ind-email": member_user.email,
                "ind-last_name": "Adhérente",
                "ind-first_name": "Anne",
                "tier": "other",
                "other_amount": "70",
            }
        ),
    )


def attach_path(message):
    found = re.search(re.escape(settings.SITE_URL) + r"(/adhesion/rattacher/\S+/)", message.body)
    return found.group(1)


def test_the_emailed_link_attaches_the_pledge_after_a_click(pending, member_user):
    member = member_of(member_user)
    path = attach_path(mail.outbox[-1])
    visitor = Client()
    page = text(visitor.get(path))
    assert pending.reference in page and "70,00" in page
    assert Pledge.objects.get(pk=pending.pk).member is None  # a link scanner attaches nothing
    response = visitor.post(path)
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.member == member
    assert Acceptance.objects.filter(member=member).exists()
    assert PrivacyAcceptance.objects.filter(member=member).exists()
    entry = AuditEntry.objects.get(action="pledge.attached")
    assert entry.after == {"member": member.pk, "reference": pending.reference}
    assert visitor.post(path).status_code == 400  # once


def test_the_link_expires(pending):
    path = attach_path(mail.outbox[-1])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = Client().post(path)
    assert response.status_code == 400
    assert Pledge.objects.get(pk=pending.pk).member is None


def test_a_forged_link_attaches_nothing(pending, stranger_user):
    response = Client().post(f"/adhesion/rattacher/{pending.pk}:forged/")
    assert response.status_code == 400
    assert Pledge.objects.get(pk=pending.pk).member is None


def test_the_member_space_offers_it_to_the_verified_owner(client, pending, member_user):
    subscribed(member_of(member_user))
    client.force_login(member_user)
    page = text(client.get("/compte/"))
    assert pending.reference in page
    response = client.post(reverse("dues:attach_pledge", args=[pending.reference]))
    assert response["Location"] == "/compte/"
    assert Pledge.objects.get(pk=pending.pk).member == member_of(member_user)


def test_another_member_cannot_attach_it(client, pending, stranger_user):
    client.force_login(stranger_user)
    assert pending.reference not in text(client.get("/compte/"))
    response = client.post(reverse("dues:attach_pledge", args=[pending.reference]))
    assert response.status_code == 404
    assert Pledge.objects.get(pk=pending.pk).member is None


def test_an_unattached_pledge_counts_for_nobody(pending, member_user):
    member = member_of(member_user)
    assert not member.pledges.exists()
    assert pending.pk not in Pledge.objects.filter(member=member).values_list("pk", flat=True)


def test_staff_see_it_and_attach_it_to_the_matched_member(client, pending, staff_user, member_user):
    client.force_login(staff_user)
    desk = text(client.get(reverse("dues:desk")))
    assert pending.reference in desk
    listing = text(client.get(reverse("dues:pledge_list")))
    assert pending.reference in listing
    url = reverse("dues:pledge_detail", args=[pending.reference])
    page = text(client.get(url))
    member = member_of(member_user)
    assert f"Rattacher à {member}" in page
    assert "Anne Adhérente" in page
    response = client.post(url, {"action": "matched"})
    assert response.status_code == 302
    assert Pledge.objects.get(pk=pending.pk).member == member
    assert AuditEntry.objects.get(action="pledge.attached").actor == staff_user


def test_staff_attach_it_to_another_member(client, pending, staff_user):
    other = IndividualFactory(last_name="Zola")
    client.force_login(staff_user)
    url = reverse("dues:pledge_detail", args=[pending.reference])
    page = text(client.get(url, {"q": "zola"}))
    assert other.reference in page
    client.post(url, {"action": "other", "member": other.pk})
    assert Pledge.objects.get(pk=pending.pk).member == other


def test_staff_create_a_new_member_from_it_after_the_duplicate_check(
    client, pending, staff_user, member_user
):
    client.force_login(staff_user)
    url = reverse("dues:pledge_detail", args=[pending.reference])
    page = text(client.post(url, {"action": "create"}))
    assert "Doublons probables" in page  # same email as the member matched
    assert Member.objects.count() == 1
    response = client.post(url, {"action": "create", "create_anyway": "1"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.member.last_name == "Adhérente"
    assert pending.member != member_of(member_user)
    assert pending.member.email == member_user.email


def test_the_desk_search_finds_a_pledge_by_its_reference(client, pending, staff_user):
    client.force_login(staff_user)
    results = client.get(reverse("dues:member_search"), {"q": pending.reference}).json()
    (result,) = results["pledges"]
    assert result["reference"] == pending.reference
    assert result["url"] == reverse("dues:pledge_detail", args=[pending.reference])
    page = text(client.get(reverse("dues:desk"), {"q": pending.reference.lower()}))
    assert reverse("dues:pledge_detail", args=[pending.reference]) in page


def test_a_payment_of_the_member_does_not_pay_the_unattached_pledge(pending, member_user):
    payment = record_payment(
        member=member_of(member_user),
        amount=Decimal("70"),
        method="transfer",
        received_on=timezone.localdate(),
        year=current_year(),
        actor=None,
    )
    assert payment.pledge is None
