"""Past payments taken over by an import count for the member's status and the statistics,
and never produce a receipt: not by the signal, the sweep, the January batch or the slips."""

import datetime

import pytest
from django.utils import timezone

from dues.models import Payment, PaymentMethod
from dues.services.slips import cheques_to_deposit
from dues.signals import payment_recorded
from receipts.models import AnnualBatch, Receipt
from receipts.services import issue_annual_receipts, issue_organisation_receipt
from receipts.services.issuing import fiscal_payments
from receipts.services.sweep import sweep
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, pay

pytestmark = pytest.mark.django_db


def imported(member, amount="50.00", year=LAST_YEAR, method=PaymentMethod.CHEQUE):
    payment = pay(member, amount, year=year, method=method)
    Payment.objects.filter(pk=payment.pk).update(
        is_imported=True, cheque_number="", bank="", created_at=timezone.now()
    )
    payment.refresh_from_db()
    return payment


def test_the_signal_gives_an_imported_organisation_payment_no_receipt(organisation):
    payment = imported(organisation)
    payment_recorded.send(sender=Payment, payment=payment)
    assert not Receipt.objects.exists()
    assert issue_organisation_receipt(payment.pk, actor=None) is None
    assert not Receipt.objects.exists()


def test_the_sweep_issues_no_receipt_for_an_imported_payment(organisation):
    imported(organisation)
    counts = sweep(now=timezone.now() + datetime.timedelta(days=1))
    assert counts["issued"] == 0
    assert not Receipt.objects.exists()


def test_the_january_batch_leaves_imported_payments_out(donor, django_capture_on_commit_callbacks):
    imported(donor, "80.00")
    covered = pay(IndividualFactory(), "30.00")
    assert list(fiscal_payments(LAST_YEAR)) == [covered]
    with django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    batch = AnnualBatch.objects.get(fiscal_year=LAST_YEAR)
    assert batch.total == 1
    receipt = Receipt.objects.get()
    assert receipt.member_id == covered.member_id and receipt.amount == covered.amount
    assert not Receipt.objects.filter(member=donor).exists()


def test_an_imported_cheque_is_never_offered_for_a_deposit_slip(donor):
    imported(donor)
    waiting = pay(IndividualFactory(), "20.00")
    assert list(cheques_to_deposit()) == [waiting]


def test_an_imported_cheque_posted_to_a_new_slip_is_refused(donor):
    from django.core.exceptions import ValidationError

    from dues.services.slips import create_slip

    payment = imported(donor)
    with pytest.raises(ValidationError):
        create_slip([payment.pk], actor=None)
    payment.refresh_from_db()
    assert payment.deposit_slip_id is None
