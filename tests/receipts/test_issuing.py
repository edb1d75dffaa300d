"""Organisation receipts at once, numbering without gap, idempotent issuing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from dues.services import record_payment
from members.models import AuditEntry
from receipts.models import Receipt, ReceiptLine
from receipts.services import Outcome, issue_annual_receipt, issue_organisation_receipt
from receipts.services.numbering import take_receipt_number
from tests.helpers import LAST_YEAR, pay, pdf_text

pytestmark = pytest.mark.django_db


def record_cheque(member, amount="120.50", **extra):
    return record_payment(
        member=member,
        amount=Decimal(amount),
        method="cheque",
        received_on=timezone.localdate(),
        year=timezone.localdate().year,
        cheque_number=extra.pop("cheque_number", "7000001"),
        bank="La Banque Postale",
        **{"actor": None, **extra},
    )


def test_recorded_organisation_cheque_gets_its_receipt_by_email(
    company, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = record_cheque(company, actor=staff_user)
    receipt = Receipt.objects.get()
    assert receipt.lines.get().payment == payment
    assert receipt.is_fiscal and receipt.kind == "organisation"
    assert receipt.amount == Decimal("120.50")
    assert receipt.pdf and len(receipt.pdf_sha256) == 64
    assert receipt.emailed_at is not None
    (message,) = mail.outbox
    assert message.to == ["coop@example.org"]
    assert receipt.number in message.subject
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"recu-{receipt.number}.pdf", "application/pdf")
    assert "cent vingt euros et cinquante centimes" in pdf_text(content)
    assert AuditEntry.objects.filter(action="receipt.issued", object_id=str(receipt.pk)).exists()


def test_individual_payment_waits_for_the_january_batch(donor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_cheque(donor)
    assert not Receipt.objects.exists()
    assert not mail.outbox


def test_issuing_twice_gives_the_same_receipt(cac, organisation):
    payment = pay(organisation, "50")
    first = issue_organisation_receipt(payment.pk, actor=None)
    assert issue_organisation_receipt(payment.pk, actor=None) == first
    assert Receipt.objects.count() == 1


def test_database_refuses_a_payment_in_two_valid_receipts(cac, organisation):
    payment = pay(organisation, "50")
    receipt = issue_organisation_receipt(payment.pk, actor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceiptLine.objects.create(
            receipt=receipt,
            payment=payment,
            amount=payment.amount,
            received_on=payment.received_on,
            method=payment.method,
        )


def test_numbers_follow_the_year_of_issue_without_gap_after_a_rollback(cac, organisation):
    year = timezone.localdate().year
    first = issue_organisation_receipt(pay(organisation, "10").pk, actor=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        take_receipt_number(timezone.localdate())
        raise RuntimeError("the insert failed after the number was taken")
    second = issue_organisation_receipt(pay(organisation, "20").pk, actor=None)
    assert [first.number, second.number] == [f"{year}-00001", f"{year}-00002"]


def test_annual_receipt_covers_only_received_payments_of_the_year(cac, donor):
    pay(donor, "30")
    pay(donor, "20", on=datetime.date(LAST_YEAR, 12, 31))
    pay(donor, "40", year=LAST_YEAR - 1, on=datetime.date(LAST_YEAR - 1, 5, 1))
    bounced = pay(donor, "1000")
    bounced.status, bounced.status_reason = "rejected", "sans provision"
    bounced.save()
    receipt, created = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    assert created == Outcome.CREATED and receipt.amount == Decimal("50.00")
    assert [line.amount for line in receipt.lines.all()] == [Decimal("30"), Decimal("20")]
    assert issue_annual_receipt(donor.pk, LAST_YEAR, actor=None) == (receipt, Outcome.EXISTING)


def test_fiscal_receipt_needs_the_collectives_registration_number(cac, company):
    from receipts.services import ReceiptError

    cac.rna = cac.siren = ""
    cac.save()
    with pytest.raises(ReceiptError, match="RNA ou SIREN"):
        issue_organisation_receipt(pay(company, "50").pk, actor=None)
    assert not Receipt.objects.exists()
