"""Sending a receipt by email, with its PDF attached, and keeping where each email stands.

Each receipt carries its delivery state (`Receipt.email_status`): queued, sent, deferred (a
temporary failure: tried again), failed (for good: a wrong address, or too many tries), or no
address. A crash between the mail server's acceptance and the row's update may send an email
twice: we prefer a second email to none. The sweep sends what a crash or an outage left queued.
"""

import logging

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cac_portal.mail import TemporaryEmailError, is_temporary
from receipts.models import EmailStatus, Receipt, ReceiptStatus
from receipts.services.originals import original_or_duplicate
from receipts.services.rendering import ensure_pdf

logger = logging.getLogger(__name__)

# A temporary failure is tried again (by the task's retries, then by the sweep) this many times
# in all before the receipt is marked failed for good and shown to the treasurer.
MAX_ATTEMPTS = 10
SENDABLE = (EmailStatus.QUEUED, EmailStatus.DEFERRED)
# How many emails share one connection to the mail server before the rows are marked sent.
SEND_GROUP = 20


def initial_status(donor_email):
    """The state a new receipt starts in."""
    return EmailStatus.QUEUED if donor_email else EmailStatus.NO_ADDRESS


def _sendable(receipt_ids, stale_before):
    candidates = Receipt.objects.filter(
        pk__in=receipt_ids, status=ReceiptStatus.ISSUED, email_status__in=SENDABLE
    )
    if stale_before is not None:
        candidates = candidates.filter(
            Q(email_attempted_at__isnull=True) | Q(email_attempted_at__lt=stale_before)
        )
    return candidates


def _count_attempt(candidates):
    return candidates.update(
        email_attempts=F("email_attempts") + 1, email_attempted_at=timezone.now()
    )


def _claim(receipt, *, stale_before=None):
    """Count an attempt on a receipt still to send; False if it is not (sent meanwhile, or, for
    the sweep, `stale_before` given and tried too recently: a task may be on it)."""
    return bool(_count_attempt(_sendable([receipt.pk], stale_before)))


def _claim_group(receipts, *, stale_before=None):
    """`_claim` for a group in two statements: the receipts still to send, locked (skipping
    those another sender is claiming), get their attempt counted. Returns them, in order."""
    with transaction.atomic():
        claimed = set(
            _sendable([receipt.pk for receipt in receipts], stale_before)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        _count_attempt(Receipt.objects.filter(pk__in=claimed))
    return [receipt for receipt in receipts if receipt.pk in claimed]


def _failure(receipt, exc):
    """Keep the failure on the receipt; a temporary one stays to send until MAX_ATTEMPTS."""
    attempts = Receipt.objects.filter(pk=receipt.pk).values_list("email_attempts", flat=True)[0]
    temporary = is_temporary(exc) and attempts < MAX_ATTEMPTS
    Receipt.objects.filter(pk=receipt.pk).update(
        email_status=EmailStatus.DEFERRED if temporary else EmailStatus.FAILED,
        email_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    if temporary:
        logger.warning("receipt %s: email deferred (%s)", receipt.number, exc)
    else:
        logger.error("receipt %s: email failed for good (%s)", receipt.number, exc)
    return temporary


def _message(receipt, connection):
    context = {"receipt": receipt, "beneficiary": receipt.beneficiary}
    message = EmailMessage(
        subject=render_to_string("receipts/email_subject.txt", context).strip(),
        body=render_to_string("receipts/email_body.txt", context),
        to=[receipt.donor_email],
        connection=connection,
    )
    data, original = original_or_duplicate(receipt, actor=None)
    name = f"recu-{receipt.number}.pdf" if original else f"recu-{receipt.number}-duplicata.pdf"
    message.attach(name, data, "application/pdf")
    return message


def _mark_sent(receipt_ids):
    Receipt.objects.filter(pk__in=receipt_ids, email_status__in=SENDABLE).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
    )


def _send_claimed(receipt, connection):
    """Send one claimed receipt's email; True if the server accepted it. A permanent failure
    is kept and logged; a temporary one raises TemporaryEmailError (after it is kept)."""
    message = _message(receipt, connection)  # a rendering error is a bug: it raises
    try:
        message.send()
    except Exception as exc:
        if _failure(receipt, exc):
            raise TemporaryEmailError(str(exc)) from exc
        return False
    return True


def email_receipt(receipt, *, stale_before=None):
    """Email a valid receipt, still to send, to its donor's copied address. Returns True if
    sent. Raises TemporaryEmailError when worth trying again (the task retries)."""
    if _claim(receipt, stale_before=stale_before) and _send_claimed(receipt, None):
        _mark_sent([receipt.pk])
        return True
    return False


def _send_group(receipts, connection, *, stale_before):
    """Claim and send a group; returns (the ids sent, the last temporary failure or None)."""
    sent, temporary = [], None
    try:
        for receipt in _claim_group(receipts, stale_before=stale_before):
            try:
                if _send_claimed(receipt, connection):
                    sent.append(receipt.pk)
            except TemporaryEmailError as exc:
                temporary = exc
    finally:
        _mark_sent(sent)
    return sent, temporary


def email_receipts(receipts, *, stale_before=None):
    """Email many receipts through one connection to the mail server (the January batch, the
    sweep). Each failure is kept on its receipt and the others go on; a group's attempts are
    counted, and its sent ones marked, in one statement each. Returns how many were sent;
    raises TemporaryEmailError at the end if a failure was temporary, so that a retry sends
    what is still to send."""
    temporary = None
    count = 0
    with get_connection() as connection:
        for start in range(0, len(receipts), SEND_GROUP):
            group = receipts[start : start + SEND_GROUP]
            sent, failure = _send_group(group, connection, stale_before=stale_before)
            count += len(sent)
            temporary = failure or temporary
    if temporary is not None:
        raise temporary
    return count


def deliver(receipt):
    """A newly issued receipt: its PDF rendered and stored, then emailed if it has an address.
    Returns True if the email went out now."""
    ensure_pdf(receipt)
    return email_receipt(receipt)
