"""The member space lists the member's own receipts with their download links."""

import pytest

from dues.services import record_payment
from tests import clock
from tests.factories import OrganisationFactory
from tests.helpers import subscribed

pytestmark = pytest.mark.django_db


def test_member_space_lists_the_organisations_receipt_with_its_link(
    client, cac, django_user_model, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_user(username="asso", email="asso@example.org")
    member = OrganisationFactory(user=user, email=user.email, name="Les Amis du Quartier")
    subscribed(member)
    with django_capture_on_commit_callbacks(execute=True):
        record_payment(
            member=member,
            amount="100",
            method="cheque",
            received_on=clock.in_last_year(3, 2),
            year=clock.LAST_YEAR,
            cheque_number="5550001",
            bank="La Banque Postale",
            actor=None,
        )
    receipt = member.receipts.get()
    client.force_login(user)
    page = client.get("/compte/").content.decode()
    assert "Mes reçus" in page
    assert receipt.number in page
    assert f'href="{receipt.get_absolute_url()}"' in page
    assert "100,00" in page
    download = client.get(receipt.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
