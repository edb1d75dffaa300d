"""Fixtures of the desk's tests: logged-in clients for each kind of visitor, a payment, a slip."""

import pytest

from dues.services.imports import upload_import
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


@pytest.fixture
def desk_import(cac):
    """An uploaded file waiting for its confirmation."""
    return upload_import("Nom;Prénom\r\nDurand;Léa\r\n".encode(), "membres.csv", actor=None)
