"""A member's contact email changes only once the new address is verified: until then the old
one stays in force, and nobody can book a stranger's address onto their own record."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from dues.models import Pledge
from members.models import AuditEntry
from tests.helpers import individual_post, member_of, text

pytestmark = pytest.mark.django_db
URL = "/compte/coordonnees/"


def contact(member, **overrides):
    return {
        "last_name": member.last_name,
        "first_name": member.first_name,
        "email": member.email,
        "street": member.street,
        "postal_code": member.postal_code,
        "city": member.city,
        "country": "FR",
        **overrides,
    }


def confirmation_path(message):
    found = re.search(re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/\S+)", message.body)
    return found.group(1)


@pytest.fixture
def logged_in(client, member_user):
    client.force_login(member_user)
    return client


def test_a_new_address_is_not_the_members_until_verified(logged_in, member_user):
    member = member_of(member_user)
    response = logged_in.post(URL, contact(member, email="victime@example.org"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "adherente@example.org"
    page = text(logged_in.get(URL))
    assert "victime@example.org" in page
    assert "adherente@example.org reste en vigueur" in page
    (message,) = mail.outbox
    assert message.to == ["victime@example.org"]
    address = EmailAddress.objects.get(email="victime@example.org")
    assert (address.user, address.verified) == (member_user, False)


def test_the_stolen_address_books_nothing_on_the_attackers_record(client, logged_in, member_user):
    member = member_of(member_user)
    logged_in.post(URL, contact(member, email="victime@example.org"))
    victim = Client()
    victim.post("/adhesion/", individual_post(**{"ind-email": "victime@example.org"}))
    assert not Pledge.objects.filter(member=member).exists()
    space = text(logged_in.get("/compte/"))
    assert "Durand" not in space and "Oberkampf" not in space


def test_verifying_the_new_address_makes_it_the_members_and_the_login(logged_in, member_user):
    member = member_of(member_user)
    logged_in.post(URL, contact(member, email="nouvelle@example.org"))
    logged_in.post(confirmation_path(mail.outbox[-1]))
    member.refresh_from_db()
    member_user.refresh_from_db()
    assert member.email == "nouvelle@example.org"
    assert member_user.email == "nouvelle@example.org"
    assert EmailAddress.objects.get(user=member_user, primary=True).email == "nouvelle@example.org"
    entry = AuditEntry.objects.get(action="member.email_changed")
    assert (entry.before, entry.after) == (
        {"email": "adherente@example.org"},
        {"email": "nouvelle@example.org"},
    )
    assert "reste en vigueur" not in text(logged_in.get(URL))


def test_the_other_fields_are_saved_at_once(logged_in, member_user):
    member = member_of(member_user)
    logged_in.post(URL, contact(member, email="nouvelle@example.org", street="8 rue Neuve"))
    member.refresh_from_db()
    assert (member.street, member.email) == ("8 rue Neuve", "adherente@example.org")


def test_the_adhesion_form_of_a_logged_in_member_does_not_change_the_email_either(
    logged_in, member_user
):
    member = member_of(member_user)
    logged_in.post(
        reverse("dues:adhesion"),
        individual_post(
            **{
                "ind-last_name": member.last_name,
                "ind-first_name": member.first_name,
                "ind-email": "victime@example.org",
            }
        ),
    )
    member.refresh_from_db()
    assert member.email == "adherente@example.org"
    assert EmailAddress.objects.get(email="victime@example.org").verified is False
