"""The periodic sweep: whatever a lost message, a down broker or a crashed worker left undone.

Beat runs it every few minutes (`receipts.tasks.sweep_receipts`). Each step looks for rows in a
state that should not last, gives the on-commit tasks a grace period first, and is idempotent:
running the sweep twice, or beside the tasks, changes nothing more.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from dues.models import Payment, PaymentStatus
from members.models import MemberKind
from receipts.models import Receipt, ReceiptLine, ReceiptStatus
from receipts.services.batch import render_missing, resume_stalled
from receipts.services.cancelling import withdraw_payment
from receipts.services.issuing import ReceiptError, issue_organisation_receipt
from receipts.services.mailing import SENDABLE, TemporaryEmailError, deliver, email_receipts

logger = logging.getLogger(__name__)


def _grace():
    return datetime.timedelta(seconds=settings.RECEIPTS_SWEEP_GRACE_SECONDS)


def _email_grace():
    # Emails queued by a big batch may wait in the broker for a while: don't send them twice.
    return datetime.timedelta(seconds=settings.RECEIPTS_EMAIL_GRACE_SECONDS)


def issue_missing(now):
    """Organisation payments that never had a receipt (the broker was down when they were
    recorded); one the treasurer cancelled without reissue stays cancelled."""
    waiting = Payment.objects.receiptable().filter(
        member__kind=MemberKind.ORGANISATION,
        created_at__lt=now - _grace(),
        receipt_lines__isnull=True,
    )
    issued = 0
    for payment_id in list(waiting.values_list("pk", flat=True)):
        try:
            receipt = issue_organisation_receipt(payment_id, actor=None)
            if receipt is not None:
                deliver(receipt)
                issued += 1
        except ReceiptError as refusal:
            # A company's receipt waits for what is missing; /tresorerie/ lists it.
            logger.warning("sweep: receipt of payment %s waits: %s", payment_id, refusal.messages)
        except Exception:
            logger.exception("sweep: receipt of payment %s failed", payment_id)
    return issued


def withdraw_bounced():
    """Valid receipt lines whose payment was rejected or undone meanwhile."""
    lines = ReceiptLine.objects.filter(is_valid=True).exclude(
        payment__status=PaymentStatus.RECEIVED
    )
    withdrawn = 0
    for line in list(lines.select_related("payment")):
        try:
            withdraw_payment(line.payment, reason=line.payment.status_reason, actor=None)
            withdrawn += 1
        except Exception:
            logger.exception("sweep: withdrawing payment %s failed", line.payment_id)
    return withdrawn


def email_unsent(now):
    """Valid receipts still to send that no task is sending: queued long ago (a crash, a lost
    message), or deferred after a temporary failure and not tried for a while."""
    stale_before = now - _email_grace()
    unsent = (
        Receipt.objects.filter(
            status=ReceiptStatus.ISSUED, email_status__in=SENDABLE, issued_at__lt=stale_before
        )
        .filter(Q(email_attempted_at__isnull=True) | Q(email_attempted_at__lt=stale_before))
        .exclude(pdf="")
        .order_by("pk")
    )
    try:
        return email_receipts(list(unsent), stale_before=stale_before)
    except TemporaryEmailError:
        logger.warning("sweep: the mail server failed for now; next sweep tries again")
        return 0


def sweep(*, now=None):
    """Issue the missing organisation receipts, withdraw bounced payments from their receipts,
    render the missing PDFs, send the emails still not sent, resume stalled batches.
    Idempotent; returns the counts."""
    now = now or timezone.now()
    counts = {"issued": issue_missing(now), "withdrawn": withdraw_bounced()}
    counts["rendered"] = render_missing(older_than=now - _grace())
    counts["emailed"] = email_unsent(now)
    counts["resumed"] = resume_stalled(now)
    return counts
