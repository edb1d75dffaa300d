"""Celery tasks: thin, idempotent wrappers around the services. Every task fetches its rows by
primary key and looks before it makes anything, so a retry, a duplicate message or a second
worker changes nothing (`task_acks_late` gives a killed worker's task to another one).

Tasks call services; services never import tasks: they queue work by name through
`cac_portal.tasking.enqueue`, after commit.
"""

import logging

from celery import shared_task
from django.utils import timezone

from dues.models import Payment
from receipts.models import Receipt
from receipts.services import batch, cancelling, issuing, mailing
from receipts.services.sweep import sweep

logger = logging.getLogger(__name__)

# Storage hiccups (a full disk, a network share) are worth another try; a template bug is not.
STORAGE_ERRORS = (OSError, ConnectionError)
RETRY = {"retry_backoff": True, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 8}
# A task retried for a temporary failure redoes only what is missing: the receipt exists, the
# PDF is stored, the email is marked sent.
TEMPORARY = (mailing.TemporaryEmailError, *STORAGE_ERRORS)


@shared_task(
    name="receipts.tasks.issue_organisation_receipt",
    acks_late=True,
    autoretry_for=TEMPORARY,
    **RETRY,
)
def issue_organisation_receipt(payment_id):
    """A recorded organisation payment → its receipt, its PDF, the email with the PDF."""
    receipt = issuing.issue_organisation_receipt(payment_id, actor=None)
    if receipt is None:
        return None
    mailing.deliver(receipt)
    return receipt.number


@shared_task(
    name="receipts.tasks.deliver_receipt", acks_late=True, autoretry_for=TEMPORARY, **RETRY
)
def deliver_receipt(receipt_id):
    """A newly issued receipt (a corrected one) → its PDF, then the email."""
    mailing.deliver(Receipt.objects.get(pk=receipt_id))


@shared_task(
    name="receipts.tasks.email_receipts",
    acks_late=True,
    autoretry_for=(mailing.TemporaryEmailError,),
    **RETRY,
)
def email_receipts(receipt_ids):
    """A group's emails through one connection; a retry sends only what is still unsent."""
    receipts = list(Receipt.objects.filter(pk__in=receipt_ids).order_by("pk"))
    return mailing.email_receipts(receipts)


@shared_task(name="receipts.tasks.issue_annual_chunk", acks_late=True)
def issue_annual_chunk(batch_id, member_ids):
    batch.run_chunk(batch_id, member_ids)


@shared_task(name="receipts.tasks.render_missing_pdfs", acks_late=True)
def render_missing_pdfs(fiscal_year):
    return batch.render_missing_and_finish(fiscal_year)


@shared_task(name="receipts.tasks.start_annual_batch", acks_late=True)
def start_annual_batch(fiscal_year=None):
    """Beat, on 2 January: the previous year's individual receipts."""
    fiscal_year = fiscal_year or timezone.localdate().year - 1
    return batch.issue_annual_receipts(fiscal_year, actor=None).pk


@shared_task(name="receipts.tasks.withdraw_payment", acks_late=True)
def withdraw_payment(payment_id, reason=""):
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is not None:
        cancelling.withdraw_payment(payment, reason=reason, actor=None)


@shared_task(name="receipts.tasks.sweep_receipts", acks_late=True)
def sweep_receipts():
    """Beat, every 5 minutes: see `receipts.services.sweep`."""
    counts = sweep()
    if any(counts.values()):
        logger.info("receipts sweep: %s", counts)
    return counts
