"""Someone who adhered without an account (or on paper) signs up with that email and finds their
record attached, once the address is verified, and not before."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from members.models import AuditEntry
from members.services import claim_member
from tests.factories import IndividualFactory, OrganisationFactory

PASSWORD = "un mot de passe très long 42"


def owners(member):
    return [access.user for access in member.accesses.filter(role="owner")]


def _confirmation_link(message):
    """The link's path: emails link to SITE_URL, never to the host the request came to."""
    found = re.search(re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/\S+)", message.body)
    return found.group(1)


def test_signing_up_and_verifying_the_email_claims_the_record(client, cac, django_user_model):
    member = IndividualFactory(email="Lea.Durand@example.org")
    response = client.post(
        "/accounts/signup/",
        {"email": "lea.durand@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert owners(member) == []  # not before the address is verified
    link = _confirmation_link(mail.outbox[-1])
    client.post(link)
    user = django_user_model.objects.get(email="lea.durand@example.org")
    assert owners(member) == [user]
    assert AuditEntry.objects.filter(action="member.claimed", object_id=str(member.pk)).exists()

    response = client.post(
        "/accounts/login/", {"login": "lea.durand@example.org", "password": PASSWORD}, follow=True
    )
    # A record entered without the charter (paper, staff): subscribing comes first.
    assert response.redirect_chain[-1][0] == "/compte/charte/"
    response = client.post("/compte/charte/", {"charter-accept": "on", "privacy-accept": "on"})
    assert response["Location"] == "/compte/"
    assert member.reference in client.get("/compte/").content.decode()


def test_an_unverified_address_claims_nothing(cac, django_user_model):
    member = OrganisationFactory(email="asso@example.org")
    user = django_user_model.objects.create_user(username="u", email="asso@example.org")
    EmailAddress.objects.create(user=user, email="asso@example.org", verified=False)
    assert claim_member(user) is None
    assert owners(member) == []


def test_a_record_claimed_by_someone_else_is_never_taken_over(cac, verified_user):
    first = verified_user("partage@example.org")
    member = IndividualFactory(email="partage@example.org", user=first)
    other = verified_user("autre-partage@example.org")
    EmailAddress.objects.create(user=other, email="PARTAGE@example.org", verified=True)
    assert claim_member(other) is None
    assert owners(member) == [first]


@pytest.mark.django_db
def test_a_staff_created_member_is_claimed_at_the_next_login(client, cac, verified_user):
    verified_user("plus-tard@example.org")
    member = IndividualFactory(email="plus-tard@example.org")  # entered from a paper form
    client.post("/accounts/login/", {"login": "plus-tard@example.org", "password": PASSWORD})
    (owner,) = owners(member)
    assert owner.email == "plus-tard@example.org"
