"""An anonymous form whose email matches a member: it reveals nothing, changes nothing, and
becomes a pledge of its own that the address's owner (or staff) attaches to the membership."""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from charter.models import Acceptance, PrivacyAcceptance, PrivacyNotice
from dues.models import Pledge
from members.models import Access, AuditEntry, Member
from tests.factories import (
    CorrespondentFactory,
    IndividualFactory,
    OrganisationFactory,
    PledgeFactory,
)
from tests.helpers import individual_post, organisation_post, text

pytestmark = pytest.mark.django_db
URL = "/adhesion/"


@pytest.fixture
def known(cac):
    """A member with blanks an intruder could fill, and an open pledge of 50 €."""
    member = IndividualFactory(
        email="lea@example.org",
        first_name="Léa",
        last_name="Secrète",
        phone_home="",
        website="",
        activity="",
    )
    PledgeFactory(member=member, amount=Decimal("50.00"))
    return member


def intruder(**overrides):
    return individual_post(
        **{
            "ind-email": "LEA@example.org",
            "ind-last_name": "Intrus",
            "ind-first_name": "Ivan",
            "ind-phone_home": "01 40 00 00 00",
            "ind-website": "https://intrus.example.net",
            "ind-activity": "Piratage",
            "tier": "other",
            "other_amount": "99999",
            **overrides,
        }
    )


def test_the_confirmation_shows_only_what_was_typed_never_the_members_name(client, known):
    response = client.post(URL, intruder(), follow=True)
    page = text(response)
    assert "Secrète" not in page
    assert known.reference not in page
    assert "Intrus" in page
    pledge = Pledge.objects.get(matched_member=known)
    assert pledge.reference in page


def test_the_member_record_is_left_as_it_was(client, known):
    client.post(URL, intruder())
    known.refresh_from_db()
    assert (known.phone_home, known.website, known.activity, known.last_name) == (
        "",
        "",
        "",
        "Secrète",
    )
    assert not AuditEntry.objects.filter(
        content_type__model="member", object_id=str(known.pk)
    ).exists()


def test_the_members_open_pledge_is_not_overwritten(client, known):
    client.post(URL, intruder())
    client.post(URL, intruder(other_amount="1"))
    assert list(known.pledges.values_list("amount", flat=True)) == [Decimal("50.00")]


def test_no_acceptance_is_recorded_in_the_members_name(client, known):
    client.post(URL, intruder())
    assert not Acceptance.objects.filter(member=known).exists()
    assert not PrivacyAcceptance.objects.filter(member=known).exists()


def test_an_organisations_website_and_correspondents_stay_its_own(client, cac):
    organisation = OrganisationFactory(
        email="contact@adq.example.org", website="", directory_opt_in=True
    )
    CorrespondentFactory(member=organisation, name="Paul Martin")
    client.post(
        URL,
        organisation_post(
            **{
                "org-website": "https://intrus.example.net",
                "corr-0-name": "Ivan Intrus",
                "corr-1-name": "",
                "corr-1-phone_mobile": "",
            }
        ),
    )
    organisation.refresh_from_db()
    assert organisation.website == ""
    assert [c.name for c in organisation.correspondents.all()] == ["Paul Martin"]
    assert "intrus.example.net" not in text(client.get("/annuaire/"))


def test_the_pledge_keeps_what_was_typed_and_the_match_privately(client, known):
    client.post(URL, intruder())
    pledge = Pledge.objects.get(matched_member=known)
    assert pledge.member is None
    assert pledge.amount == Decimal("99999.00")
    assert re.fullmatch(r"P\d{4}-\d{6}", pledge.reference)
    proposal = pledge.proposal
    assert proposal["kind"] == "individual"
    assert proposal["member"]["last_name"] == "Intrus"
    assert proposal["charter_version"] == 1
    # The notice in force when the form was sent (version 2 since issue 12).
    assert proposal["privacy_version"] == PrivacyNotice.objects.current().version
    assert proposal["accepted_at"]
    assert Member.objects.count() == 1


def test_the_email_goes_to_the_members_address_with_a_link_to_attach(
    client, known, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, intruder())
    pledge = Pledge.objects.get(matched_member=known)
    (message,) = mail.outbox
    assert message.to == ["lea@example.org"]
    assert pledge.reference in message.subject
    assert "Secrète" not in message.body and known.reference not in message.body
    assert re.search(r"/adhesion/rattacher/[\w:.-]+/", message.body)


def test_someone_with_access_to_the_known_member_pledges_for_it(client, cac, django_user_model):
    person = django_user_model.objects.create_user(username="p", email="lea@example.org")
    own = IndividualFactory(email="lea@example.org", user=person)
    organisation = OrganisationFactory(email="contact@adq.example.org")
    Access.objects.create(member=organisation, user=person, role=Access.Role.MEMBER)
    client.force_login(person)  # acting for their own (individual) record
    client.post(URL, organisation_post())
    assert Pledge.objects.get().member == organisation
    assert not own.pledges.exists()


def test_a_new_record_made_with_a_verified_address_of_the_account_is_its_own(
    client, cac, django_user_model
):
    user = django_user_model.objects.create_user(username="lea", email="lea@example.org")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client.force_login(user)
    client.post(URL, individual_post())
    member = Member.objects.get()
    assert member.accesses.get().user == user
    assert member.reference in text(client.get("/adhesion/merci/"))
