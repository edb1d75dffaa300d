"""A member with something in every part of its data: pledges, payments, receipts (their PDFs
rendered), acceptances, an organisation with correspondents and two people with access."""

import pytest

from dues.services import record_payment
from members.models import Access
from tests import clock
from tests.factories import CorrespondentFactory, OrganisationFactory, PledgeFactory
from tests.helpers import subscribed

PASSWORD = "correct horse battery staple"


def paid(member, amount, on, cheque, *, capture):
    """A payment recorded as the desk does (an organisation's receipt follows, PDF rendered)."""
    with capture(execute=True):
        return record_payment(
            member=member,
            amount=amount,
            method="cheque",
            received_on=on,
            year=on.year,
            cheque_number=cheque,
            bank="La Banque Postale",
            drawer="Les Amis du Quartier",
            actor=None,
        )


@pytest.fixture
def organisation_with_data(cac, member_user, django_user_model, django_capture_on_commit_callbacks):
    """An organisation owned by a person, with a second person let in, two correspondents, a
    pledge, two payments and their two receipts."""
    from tests.conftest import _user

    owner = _user(django_user_model, "presidente@adq.example.org")
    helper = _user(django_user_model, "benevole@adq.example.org")
    member = OrganisationFactory(
        user=owner, name="Les Amis du Quartier", acronym="ADQ", email="contact@adq.example.org"
    )
    Access.objects.create(member=member, user=helper, role=Access.Role.MEMBER)
    CorrespondentFactory(member=member, name="Paul Martin", email="paul@example.org")
    CorrespondentFactory(member=member, name="Inès Roy", email="ines@example.org")
    subscribed(member)
    pledge = PledgeFactory(member=member, year=clock.LAST_YEAR, amount="100.00")
    paid(
        member,
        "100.00",
        clock.in_last_year(3, 2),
        "7770001",
        capture=django_capture_on_commit_callbacks,
    )
    paid(
        member,
        "20.50",
        clock.in_last_year(4, 9),
        "7770002",
        capture=django_capture_on_commit_callbacks,
    )
    return {"member": member, "owner": owner, "helper": helper, "pledge": pledge}
