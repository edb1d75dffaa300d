"""Celery tasks: thin, idempotent wrappers around the services. Every task fetches its rows by
primary key and looks before it makes anything, so a retry, a duplicate message or a second
worker changes nothing (`task_acks_late` gives a killed worker's task to another one)."""

import logging

from celery import shared_task
from django.utils import timezone

from dues.models import Payment
from receipts.services import batch, cancelling, issuing, mailing, rendering
from receipts.services.sweep import sweep as run_sweep

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
def issue_organisation_receipt_task(payment_id):
    """A recorded organisation payment → its receipt, its PDF, the email with the PDF."""
    receipt = issuing.issue_organisation_receipt(payment_id)
    if receipt is None:
        return None
    deliver(receipt)
    return receipt.number


@shared_task(
    name="receipts.tasks.deliver_receipt", acks_late=True, autoretry_for=TEMPORARY, **RETRY
)
def deliver_receipt(receipt_id):
    """A newly issued receipt (a corrected one) → its PDF, then the email."""
    deliver(issuing.Receipt.objects.get(pk=receipt_id))


def deliver(receipt):
    rendering.ensure_pdf(receipt)
    mailing.email_receipt(receipt.pk)


@shared_task(
    name="receipts.tasks.render_receipt", acks_late=True, autoretry_for=STORAGE_ERRORS, **RETRY
)
def render_receipt_task(receipt_id):
    rendering.ensure_pdf(issuing.Receipt.objects.get(pk=receipt_id))


@shared_task(
    name="receipts.tasks.email_receipt",
    acks_late=True,
    autoretry_for=(mailing.TemporaryEmailError,),
    **RETRY,
)
def email_receipt_task(receipt_id):
    """Retried only when the mail server's failure is temporary (4xx, lost connection)."""
    return mailing.email_receipt(receipt_id)


@shared_task(
    name="receipts.tasks.email_receipts",
    acks_late=True,
    autoretry_for=(mailing.TemporaryEmailError,),
    **RETRY,
)
def email_receipts_task(receipt_ids):
    """A chunk's emails through one connection; a retry sends only what is still unsent."""
    mailing.email_receipts(receipt_ids)


@shared_task(name="receipts.tasks.issue_annual_chunk", acks_late=True)
def issue_annual_chunk(batch_id, member_ids):
    batch.run_chunk(batch_id, member_ids)


@shared_task(name="receipts.tasks.render_missing_pdfs", acks_late=True)
def render_missing_pdfs(fiscal_year=None):
    return batch.render_missing(fiscal_year)


@shared_task(name="receipts.tasks.start_annual_batch", acks_late=True)
def start_annual_batch(fiscal_year=None):
    """Beat, on 2 January: the previous year's individual receipts."""
    fiscal_year = fiscal_year or timezone.localdate().year - 1
    return batch.issue_annual_receipts(fiscal_year).pk


@shared_task(name="receipts.tasks.withdraw_payment", acks_late=True)
def withdraw_payment_task(payment_id, reason=""):
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is not None:
        cancelling.withdraw_payment(payment, reason=reason)


@shared_task(name="receipts.tasks.sweep_receipts", acks_late=True)
def sweep_receipts():
    """Beat, every 5 minutes: see `receipts.services.sweep`."""
    counts = run_sweep()
    if any(counts.values()):
        logger.info("receipts sweep: %s", counts)
    return counts
