"""The service contract of record_payment and reject_payment: what every caller relies on."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dues.models import Payment, PaymentStatus
from dues.services import DuplicatePayment, record_payment, reject_payment
from dues.signals import payment_recorded, payment_rejected
from members.models import AuditEntry
from tests import clock
from tests.factories import IndividualFactory, OrganisationFactory, PledgeFactory

pytestmark = pytest.mark.django_db
RECEIVED = clock.in_last_year(3, 2)


def cheque(member, **overrides):
    values = {
        "member": member,
        "amount": Decimal("50"),
        "method": "cheque",
        "received_on": RECEIVED,
        "year": RECEIVED.year,
        "cheque_number": "1234567",
        "bank": "La Banque Postale",
        "drawer": "",
        "actor": None,
    }
    values.update(overrides)
    return record_payment(**values)


@pytest.fixture
def received_signals():
    calls = []

    def listener(sender, payment, **kwargs):
        calls.append(payment.pk)

    payment_recorded.connect(listener)
    yield calls
    payment_recorded.disconnect(listener)


def test_records_a_cheque_with_an_audit_entry(staff_user):
    member = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    payment = cheque(member, actor=staff_user)
    assert payment.status == PaymentStatus.RECEIVED
    assert payment.drawer == "Lucie Aubrac"
    assert payment.recorded_by == staff_user
    entry = AuditEntry.objects.get(object_id=str(payment.pk), action="payment.recorded")
    assert entry.actor == staff_user
    assert entry.after["amount"] == "50.00"
    assert entry.after["cheque_number"] == "1234567"


def test_matches_the_open_pledge_of_that_year():
    member = IndividualFactory()
    PledgeFactory(member=member, year=RECEIVED.year - 1)
    pledge = PledgeFactory(member=member, year=RECEIVED.year, amount=Decimal("100"))
    assert cheque(member).pledge == pledge
    # The pledge is now covered: a second payment the same year is not matched to it.
    assert cheque(member, cheque_number="7654321").pledge is None


def test_the_same_cheque_twice_is_refused_with_a_clear_message():
    member = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    cheque(member)
    with pytest.raises(DuplicatePayment, match="déjà enregistré pour Lucie Aubrac"):
        cheque(member)
    assert Payment.objects.count() == 1
    # Another amount, bank or number is another cheque.
    cheque(member, amount=Decimal("60"))
    cheque(member, bank="Crédit Mutuel")
    cheque(member, cheque_number="1234568")
    assert Payment.objects.count() == 4


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", Decimal("0"), "positif"),
        ("amount", Decimal("-10"), "positif"),
        ("amount", Decimal("10.001"), "deux décimales"),
        ("amount", "dix", "montant valide"),
        ("cheque_number", "", "numéro du chèque"),
        ("method", "bitcoin", "Mode de paiement inconnu"),
    ],
)
def test_bad_values_are_refused(field, value, message):
    with pytest.raises(ValidationError, match=message):
        cheque(IndividualFactory(), **{field: value})
    assert not Payment.objects.exists()


def test_transfers_and_cash_carry_no_cheque_details():
    member = OrganisationFactory()
    payment = cheque(member, method="transfer", cheque_number="999", bank="X", drawer="Y")
    assert (payment.cheque_number, payment.bank, payment.drawer) == ("", "", "")


def test_signal_is_sent_only_after_commit(received_signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        payment = cheque(IndividualFactory())
    assert received_signals == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert received_signals == [payment.pk]


def test_no_signal_when_the_transaction_rolls_back(
    received_signals, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        cheque(IndividualFactory())
        raise RuntimeError("the caller failed after recording")
    assert received_signals == []
    assert not Payment.objects.exists()


def test_reject_marks_the_payment_and_tells_receipts(
    staff_user, django_capture_on_commit_callbacks
):
    payment = cheque(IndividualFactory())
    rejected = []
    payment_rejected.connect(
        listener := lambda sender, payment, reason, **kw: rejected.append(reason)
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reject_payment(payment, reason="Chèque sans provision", actor=staff_user)
    finally:
        payment_rejected.disconnect(listener)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REJECTED
    assert payment.status_reason == "Chèque sans provision"
    assert rejected == ["Chèque sans provision"]
    entry = AuditEntry.objects.get(object_id=str(payment.pk), action="payment.rejected")
    assert (entry.before["status"], entry.after["status"]) == ("received", "rejected")
    with pytest.raises(ValidationError, match="Seul un paiement reçu"):
        reject_payment(payment, reason="encore", actor=None)


def test_reject_needs_a_reason():
    payment = cheque(IndividualFactory())
    with pytest.raises(ValidationError, match="motif"):
        reject_payment(payment, reason="  ", actor=None)
