"""`submit_adhesion`: one transaction makes the member, correspondents, pledge and acceptances."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from charter.models import Acceptance, Charter, PrivacyAcceptance
from dues.campaign import current_year
from dues.models import Pledge, PledgeSource, Purpose, RenewalCampaign
from dues.services.pledges import submit_adhesion
from dues.services.renewals import renew, renewal_year
from members.models import AuditEntry, Member, MemberKind
from tests import clock
from tests.factories import IndividualFactory, PaymentFactory

PERSON = {
    "last_name": "Durand",
    "first_name": "Léa",
    "email": "Lea.Durand@example.org",
    "street": "5 rue Oberkampf",
    "postal_code": "75011",
    "city": "Paris",
    "country": "FR",
    "phone_mobile": "+33612345678",
}

ORGANISATION = {
    "name": "Les Amis du Quartier",
    "acronym": "ADQ",
    "email": "contact@amis-quartier.example.org",
    "street": "1 place du Marché",
    "postal_code": "97200",
    "city": "Fort-de-France",
    "annual_budget": Decimal("150000"),
}


def test_an_individual_becomes_member_pledge_and_acceptances(cac):
    result = submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data=PERSON,
        purpose=Purpose.ADHESION,
        amount=50,
        actor=None,
    )
    member = result.member
    assert result.member_created
    assert member.reference == f"CAC-{member.pk:06d}"
    assert member.phone_mobile == "+33612345678"
    pledge = result.pledge
    assert (pledge.year, pledge.amount, pledge.source) == (
        current_year(),
        Decimal("50.00"),
        PledgeSource.ONLINE,
    )
    acceptance = Acceptance.objects.get(member=member)
    assert acceptance.charter == Charter.objects.current()
    assert acceptance.source == "online"
    assert PrivacyAcceptance.objects.filter(member=member, source="online").count() == 1


def test_an_organisation_gets_its_brackets_amount_and_its_correspondents(cac):
    result = submit_adhesion(
        kind=MemberKind.ORGANISATION,
        member_data=ORGANISATION,
        purpose=Purpose.ADHESION,
        correspondents=[
            {"name": "Paul Martin", "function": "Président", "email": "paul@example.org"},
            {"name": "Inès Roy", "function": "Trésorière", "phone_mobile": "+33698765432"},
        ],
        actor=None,
    )
    assert result.pledge.amount == Decimal("100.00")
    assert [c.name for c in result.member.correspondents.all()] == ["Paul Martin", "Inès Roy"]


def test_a_known_email_is_reused_case_insensitively_and_the_pledge_not_doubled(cac):
    first = submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data=PERSON,
        purpose=Purpose.ADHESION,
        amount=50,
        actor=None,
    )
    # Sent again by someone not logged in (issue 11): the known address is recognised, whatever
    # its case, but the form neither doubles nor overwrites the member's pledge: it waits,
    # attached to nobody, for the address's owner to attach it.
    again = submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data={**PERSON, "email": "lea.durand@EXAMPLE.org"},
        purpose=Purpose.ADHESION,
        amount=100,
        actor=None,
    )
    assert again.member is None
    assert again.pledge.matched_member == first.member
    assert not again.member_created
    assert Member.objects.count() == 1
    assert Pledge.objects.filter(member=first.member).count() == 1
    assert Pledge.objects.get(member=first.member).amount == Decimal("50.00")
    assert Acceptance.objects.filter(member=first.member).count() == 1
    # The member's own form (logged in) still updates their open pledge rather than doubling it.
    own = submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data=PERSON,
        purpose=Purpose.ADHESION,
        amount=100,
        member=first.member,
        actor=None,
    )
    assert own.pledge.pk == first.pledge.pk
    assert Pledge.objects.get(member=first.member).amount == Decimal("100.00")


def test_an_anonymous_form_does_not_rewrite_a_known_members_address(cac):
    known = IndividualFactory(email="lea@example.org", street="1 rue Ancienne", phone_home="")
    result = submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data={**PERSON, "email": "lea@example.org", "phone_home": "+33140000000"},
        purpose=Purpose.DONATION,
        amount=20,
        actor=None,
    )
    known.refresh_from_db()
    assert result.member is None and result.pledge.matched_member == known
    assert known.street == "1 rue Ancienne"
    assert known.phone_home == ""  # not even a blank is filled (issue 11)
    assert result.pledge.proposal["member"]["street"] == "5 rue Oberkampf"
    assert not AuditEntry.objects.filter(content_type__model="member").exists()


def test_staff_entering_a_paper_form_updates_the_known_member(cac, staff_user):
    known = IndividualFactory(email="lea@example.org", street="1 rue Ancienne")
    submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data={**PERSON, "email": "lea@example.org"},
        purpose=Purpose.ADHESION,
        amount=50,
        source=PledgeSource.PAPER,
        accepted_at=clock.in_last_year(3, 2),
        actor=staff_user,
    )
    known.refresh_from_db()
    assert known.street == "5 rue Oberkampf"
    acceptance = Acceptance.objects.get(member=known)
    assert acceptance.source == "paper"
    assert acceptance.recorded_by == staff_user
    assert acceptance.accepted_at.date() == clock.in_last_year(3, 2)
    assert len(mail.outbox) == 0  # no email for a paper form unless asked


def test_a_bad_amount_changes_nothing(cac):
    for amount in (0, -5, Decimal("10.005"), Decimal("1000000")):
        with pytest.raises(ValidationError):
            submit_adhesion(
                kind=MemberKind.INDIVIDUAL,
                member_data=PERSON,
                purpose=Purpose.ADHESION,
                amount=amount,
                actor=None,
            )
    assert not Member.objects.exists()


def test_an_organisation_without_budget_nor_amount_is_refused(cac):
    with pytest.raises(ValidationError):
        submit_adhesion(
            kind=MemberKind.ORGANISATION,
            member_data={**ORGANISATION, "annual_budget": None},
            purpose=Purpose.ADHESION,
            actor=None,
        )
    assert not Member.objects.exists()


def test_renewal_is_for_next_year_once_this_year_is_paid_and_its_campaign_open(cac):
    member = IndividualFactory()
    assert renewal_year(member) == current_year()
    submit_adhesion(
        kind=MemberKind.INDIVIDUAL,
        member_data={**PERSON, "email": member.email},
        purpose=Purpose.DONATION,
        amount=35,
        member=member,
        actor=None,
    )
    assert renewal_year(member) is None
    PaymentFactory(member=member, amount=Decimal("35"))
    assert renewal_year(member) is None
    RenewalCampaign.objects.create(year=current_year() + 1, opens_on=timezone.localdate())
    assert renewal_year(member) == current_year() + 1
    renewal = renew(member, year=current_year() + 1, amount=Decimal("35"), actor=None)
    assert renewal.created
    assert (renewal.pledge.year, renewal.pledge.amount, renewal.pledge.source) == (
        current_year() + 1,
        Decimal("35.00"),
        PledgeSource.RENEWAL,
    )
    again = renew(member, year=current_year() + 1, amount=Decimal("80"), actor=None)
    assert (again.pledge.pk, again.created, again.pledge.amount) == (
        renewal.pledge.pk,
        False,
        Decimal("35.00"),
    )
