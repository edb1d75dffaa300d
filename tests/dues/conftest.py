"""Fixtures of the desk's tests: logged-in clients for each kind of visitor, a payment, a slip."""

import pytest

from tests.factories import DepositSlipFactory, IndividualFactory, PaymentFactory


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def desk_payment(cac):
    return PaymentFactory(member=IndividualFactory(first_name="Lucie", last_name="Aubrac"))


@pytest.fixture
def desk_slip(cac, desk_payment):
    slip = DepositSlipFactory()
    desk_payment.deposit_slip = slip
    desk_payment.save(update_fields=["deposit_slip"])
    return slip
