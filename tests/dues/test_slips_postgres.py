"""Two desks at once on PostgreSQL: a cheque lands on one slip only, numbers have no gap, and
a cheque being undone while its slip is deposited is either undone first or refused."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dues.models import DepositSlip, PaymentStatus
from dues.services.payments import PaymentLocked, cancel_payment
from dues.services.slips import create_slip, mark_deposited
from tests.factories import PaymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(calls):
    """Each call in its own thread and connection, released together; results or exceptions."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_desks_slipping_the_same_cheques(cac):
    cheques = [PaymentFactory() for _ in range(3)]
    outcomes = at_once([lambda: create_slip(cheques, actor=None) for _ in range(4)])
    slips = [o for o in outcomes if isinstance(o, DepositSlip)]
    assert len(slips) == 1
    assert all(isinstance(o, ValidationError) for o in outcomes if o not in slips)
    assert slips[0].payments.count() == 3


def test_slip_numbers_have_no_gap_under_concurrency(cac):
    cheques = [PaymentFactory() for _ in range(6)]
    outcomes = at_once([lambda c=c: create_slip([c], actor=None) for c in cheques])
    year = timezone.localdate().year
    numbers = sorted(o.number for o in outcomes)
    assert numbers == [f"BR-{year}-{n:03d}" for n in range(1, 7)]


def test_undo_and_deposit_at_once_never_change_a_deposited_cheque(cac):
    for _ in range(5):
        cheque, other = PaymentFactory(), PaymentFactory()
        slip = create_slip([cheque, other], actor=None)
        undo, _deposit = at_once(
            [
                lambda cheque=cheque: cancel_payment(cheque, reason="Erreur de saisie", actor=None),
                lambda slip=slip: mark_deposited(slip, actor=None),
            ]
        )
        cheque.refresh_from_db()
        slip.refresh_from_db()
        assert slip.is_deposited
        if isinstance(undo, PaymentLocked):
            assert cheque.status == PaymentStatus.RECEIVED and cheque.deposit_slip == slip
        else:
            assert cheque.status == PaymentStatus.CANCELLED and cheque.deposit_slip is None
            assert list(slip.payments.all()) == [other]
