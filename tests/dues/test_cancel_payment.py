"""Undo (cancel) and correction of a payment: audited, never deleted, locked after deposit."""

import pytest
from django.core.exceptions import ValidationError

from dues.models import Payment, PaymentStatus
from dues.services.payments import (
    DuplicatePayment,
    PaymentLocked,
    cancel_payment,
    update_cheque_details,
)
from dues.services.slips import create_slip, mark_deposited
from dues.signals import payment_cancelled
from members.models import AuditEntry
from tests.factories import IndividualFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled_signals():
    calls = []

    def listener(sender, payment, reason, **kwargs):
        calls.append((payment.pk, reason))

    payment_cancelled.connect(listener)
    yield calls
    payment_cancelled.disconnect(listener)


def test_cancel_keeps_the_row_with_an_audit_entry_and_signals_after_commit(
    staff_user, cancelled_signals, django_capture_on_commit_callbacks
):
    payment = PaymentFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cancel_payment(payment, reason="Erreur de saisie", actor=staff_user)
    assert cancelled_signals == []
    for callback in callbacks:
        callback()
    assert cancelled_signals == [(payment.pk, "Erreur de saisie")]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert payment.status_reason == "Erreur de saisie"
    entry = AuditEntry.objects.get(object_id=str(payment.pk), action="payment.cancelled")
    assert entry.actor == staff_user
    assert (entry.before["status"], entry.after["status"]) == ("received", "cancelled")
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_a_cancelled_cheque_can_be_entered_again():
    from dues.services import record_payment

    payment = PaymentFactory()
    cancel_payment(payment, reason="Mauvais membre", actor=None)
    again = record_payment(
        member=payment.member,
        amount=payment.amount,
        method="cheque",
        received_on=payment.received_on,
        year=payment.year,
        cheque_number=payment.cheque_number,
        bank=payment.bank,
        actor=None,
    )
    assert again.pk != payment.pk


def test_cancel_needs_a_reason_and_a_received_payment(cancelled_signals):
    payment = PaymentFactory()
    with pytest.raises(ValidationError, match="motif"):
        cancel_payment(payment, reason=" ", actor=None)
    cancel_payment(payment, reason="Doublon", actor=None)
    with pytest.raises(ValidationError, match="Seul un paiement reçu"):
        cancel_payment(payment, reason="encore", actor=None)


def test_cancel_takes_the_cheque_off_a_slip_not_yet_deposited():
    payment, other = PaymentFactory(), PaymentFactory()
    slip = create_slip([payment, other], actor=None)
    cancel_payment(payment, reason="Erreur de saisie", actor=None)
    payment.refresh_from_db()
    assert payment.deposit_slip is None
    assert list(slip.payments.all()) == [other]


def test_once_deposited_a_cheque_can_be_neither_undone_nor_corrected(staff_user):
    payment = PaymentFactory(cheque_number="111")
    slip = create_slip([payment], actor=staff_user)
    mark_deposited(slip, actor=staff_user)
    with pytest.raises(PaymentLocked, match="remis en banque"):
        cancel_payment(payment, reason="Erreur de saisie", actor=None)
    with pytest.raises(PaymentLocked):
        update_cheque_details(payment, cheque_number="222", actor=None)
    payment.refresh_from_db()
    assert (payment.status, payment.cheque_number) == (PaymentStatus.RECEIVED, "111")
    assert payment.is_locked


def test_correcting_a_cheque_is_audited_with_before_and_after(staff_user):
    payment = PaymentFactory(cheque_number="111", bank="CIC")
    update_cheque_details(payment, cheque_number="112", bank="LCL", actor=staff_user)
    payment.refresh_from_db()
    assert (payment.cheque_number, payment.bank) == ("112", "LCL")
    entry = AuditEntry.objects.get(object_id=str(payment.pk), action="payment.updated")
    assert (entry.before["cheque_number"], entry.after["cheque_number"]) == ("111", "112")
    assert (entry.before["bank"], entry.after["bank"]) == ("CIC", "LCL")


def test_correcting_into_an_existing_cheque_is_refused():
    member = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    PaymentFactory(member=member, cheque_number="111", bank="CIC")
    other = PaymentFactory(member=member, cheque_number="112", bank="CIC")
    with pytest.raises(DuplicatePayment, match="déjà enregistré pour Lucie Aubrac"):
        update_cheque_details(other, cheque_number="111", actor=None)
    other.refresh_from_db()
    assert other.cheque_number == "112"
