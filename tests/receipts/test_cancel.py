"""Cancel and reissue; a bounced or undone payment leaves its receipt."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dues.services import reject_payment
from dues.signals import payment_cancelled
from members.models import AuditEntry
from receipts.models import Receipt
from receipts.services import cancel_receipt, issue_annual_receipt, issue_organisation_receipt
from receipts.services.rendering import stored_pdf
from tests.helpers import LAST_YEAR, pay, pdf_text

pytestmark = pytest.mark.django_db


def test_cancel_and_reissue_fixes_the_address(
    cac, donor, treasurer_user, django_capture_on_commit_callbacks
):
    pay(donor, "50")
    old, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    original = stored_pdf(old)
    donor.street = "7 rue Juste"
    donor.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = cancel_receipt(old, reason="Adresse erronée", actor=treasurer_user)
    old.refresh_from_db()
    assert old.status == "cancelled" and old.cancellation_reason == "Adresse erronée"
    assert old.cancelled_at is not None
    assert not old.lines.filter(is_valid=True).exists()
    assert stored_pdf(old) == original, "the cancelled receipt's PDF is kept as it was"
    assert new.replaces == old and new.number != old.number
    assert new.donor_address.startswith("7 rue Juste")
    assert new.amount == old.amount
    text = pdf_text(stored_pdf(new))
    assert f"annule et remplace le reçu n° {old.number}" in text
    assert "7 rue Juste" in text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"receipt.issued", "receipt.cancelled"} <= actions


def test_cancel_without_reissue_and_never_twice(cac, organisation):
    receipt = issue_organisation_receipt(pay(organisation, "50").pk, actor=None)
    assert cancel_receipt(receipt, reason="Doublon", reissue=False, actor=None) is None
    with pytest.raises(ValidationError):
        cancel_receipt(receipt, reason="encore", actor=None)
    with pytest.raises(ValidationError):
        cancel_receipt(
            issue_organisation_receipt(pay(organisation, "60").pk, actor=None),
            reason="  ",
            actor=None,
        )
    assert Receipt.objects.count() == 2


def test_receipts_are_never_deleted(cac, organisation):
    receipt = issue_organisation_receipt(pay(organisation, "50").pk, actor=None)
    with pytest.raises(ValidationError):
        receipt.delete()
    with pytest.raises(ValidationError):
        Receipt.objects.all().delete()


def test_bounced_organisation_cheque_cancels_its_receipt(
    cac, organisation, staff_user, django_capture_on_commit_callbacks
):
    payment = pay(organisation, "50")
    receipt = issue_organisation_receipt(payment.pk, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        reject_payment(payment, reason="Chèque sans provision", actor=staff_user)
    receipt.refresh_from_db()
    assert receipt.status == "cancelled"
    assert "Chèque sans provision" in receipt.cancellation_reason
    assert Receipt.objects.count() == 1, "nothing replaces it"


def test_bounced_cheque_in_a_summary_reissues_it_without_that_payment(
    cac, donor, django_capture_on_commit_callbacks
):
    kept = pay(donor, "30")
    bounced = pay(donor, "20", on=datetime.date(LAST_YEAR, 9, 1))
    old, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        reject_payment(bounced, reason="Opposition", actor=None)
    old.refresh_from_db()
    new = Receipt.objects.valid().get()
    assert old.status == "cancelled" and new.replaces == old
    assert new.amount == Decimal("30.00")
    assert [line.payment for line in new.lines.all()] == [kept]


def test_undone_payment_alone_in_a_summary_leaves_no_receipt(
    cac, donor, django_capture_on_commit_callbacks
):
    payment = pay(donor, "30")
    old, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    payment.status, payment.status_reason = "cancelled", "saisie en double"
    payment.save()
    with django_capture_on_commit_callbacks(execute=True):
        payment_cancelled.send(sender=type(payment), payment=payment, reason="saisie en double")
    old.refresh_from_db()
    assert old.status == "cancelled"
    assert not Receipt.objects.valid().exists()
