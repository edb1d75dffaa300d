"""The periodic sweep: whatever a lost message, a down broker or a crashed worker left undone."""

import datetime
import logging

from django.db.models import Q
from django.utils import timezone

from dues.models import Payment, PaymentStatus
from members.models import MemberKind
from receipts.models import Receipt, ReceiptLine, ReceiptStatus
from receipts.services.batch import render_missing
from receipts.services.cancelling import withdraw_payment
from receipts.services.issuing import issue_organisation_receipt
from receipts.services.mailing import PERMANENT_MARK, email_receipt
from receipts.services.rendering import ensure_pdf

logger = logging.getLogger(__name__)

# The on-commit task gets this long to do its work before the sweep steps in.
GRACE = datetime.timedelta(minutes=1)
# Emails queued by a big batch may wait in the broker for a while: don't send them twice.
EMAIL_GRACE = datetime.timedelta(minutes=30)


def sweep(*, now=None):
    """Issue the missing organisation receipts, withdraw bounced payments from their receipts,
    render the missing PDFs, send the emails still not sent. Idempotent; returns the counts."""
    now = now or timezone.now()
    counts = {"issued": 0, "withdrawn": 0, "rendered": 0, "emailed": 0}

    # Never had a receipt: one the treasurer cancelled without reissue stays cancelled.
    waiting = (
        Payment.objects.valid()
        .filter(
            member__kind=MemberKind.ORGANISATION,
            created_at__lt=now - GRACE,
            receipt_lines__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    for payment_id in list(waiting):
        try:
            receipt = issue_organisation_receipt(payment_id)
            if receipt is not None:
                ensure_pdf(receipt)
                counts["issued"] += 1
        except Exception:
            logger.exception("sweep: receipt of payment %s failed", payment_id)

    withdrawn = ReceiptLine.objects.filter(is_valid=True).exclude(
        payment__status=PaymentStatus.RECEIVED
    )
    for line in list(withdrawn.select_related("payment")):
        try:
            withdraw_payment(line.payment, reason=line.payment.status_reason)
            counts["withdrawn"] += 1
        except Exception:
            logger.exception("sweep: withdrawing payment %s failed", line.payment_id)

    counts["rendered"] = render_missing(older_than=now - GRACE)

    unsent = Receipt.objects.filter(
        status=ReceiptStatus.ISSUED, emailed_at__isnull=True, issued_at__lt=now - EMAIL_GRACE
    ).exclude(Q(donor_email="") | Q(email_error__startswith=PERMANENT_MARK))
    for receipt_id in list(unsent.values_list("pk", flat=True)):
        try:
            counts["emailed"] += bool(email_receipt(receipt_id))
        except Exception:
            logger.exception("sweep: emailing receipt %s failed", receipt_id)
    return counts
