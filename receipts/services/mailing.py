"""Sending a receipt by email, with its PDF attached."""

import logging
import smtplib

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from receipts.models import Receipt, ReceiptStatus
from receipts.services.rendering import stored_pdf

logger = logging.getLogger(__name__)

# How `email_error` starts: the sweep tries again after a temporary failure, never after a
# permanent one (a wrong address: the treasurer fixes the member and resends by reissuing).
TEMPORARY_MARK = "[temporaire]"
PERMANENT_MARK = "[définitif]"


class TemporaryEmailError(Exception):
    """The mail server may accept the message later: worth a retry."""


def is_temporary(exc):
    """4xx answers and lost connections are temporary; 5xx and refused recipients are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError | ConnectionError)


def email_receipt(receipt_id, *, connection=None, receipt=None, sent=None):
    """Email a valid receipt once to its donor's copied address. Returns True if sent.

    `emailed_at` is set after the server accepted the message; a failure is kept in
    `email_error` for the treasurer and the sweep. A crash between the two may send it twice:
    we prefer a second email to none.
    """
    receipt = receipt or Receipt.objects.get(pk=receipt_id)
    if receipt.emailed_at or not receipt.donor_email or receipt.status != ReceiptStatus.ISSUED:
        return False
    data = stored_pdf(receipt)
    context = {"receipt": receipt, "beneficiary": receipt.beneficiary}
    message = EmailMessage(
        subject=render_to_string("receipts/email_subject.txt", context).strip(),
        body=render_to_string("receipts/email_body.txt", context),
        to=[receipt.donor_email],
        connection=connection,
    )
    message.attach(f"recu-{receipt.number}.pdf", data, "application/pdf")
    try:
        message.send()
    except Exception as exc:
        temporary = is_temporary(exc)
        prefix = TEMPORARY_MARK if temporary else PERMANENT_MARK
        Receipt.objects.filter(pk=receipt.pk).update(
            email_error=f"{prefix} {type(exc).__name__}: {exc}"[:2000]
        )
        if temporary:
            raise TemporaryEmailError(str(exc)) from exc
        raise
    if sent is not None:
        sent.append(receipt.pk)  # the caller marks them in one statement
    else:
        Receipt.objects.filter(pk=receipt.pk).update(emailed_at=timezone.now(), email_error="")
    return True


def email_receipts(receipt_ids):
    """Email many receipts through one connection to the mail server (the January batch).

    Each receipt's failure is kept on it; the others go on. The sent ones are marked a group at
    a time (a crash may send a group twice: better than not at all). Raises
    TemporaryEmailError at the end if any failure was temporary, so that a retry sends what is
    still unsent."""
    temporary = None
    receipts = list(Receipt.objects.in_bulk(receipt_ids).values())
    with get_connection() as connection:
        for start in range(0, len(receipts), 20):
            sent = []
            try:
                for receipt in receipts[start : start + 20]:
                    try:
                        email_receipt(receipt.pk, connection=connection, receipt=receipt, sent=sent)
                    except TemporaryEmailError as exc:
                        temporary = exc
                    except Exception:
                        logger.exception("emailing receipt %s failed", receipt.pk)
            finally:
                Receipt.objects.filter(pk__in=sent).update(
                    emailed_at=timezone.now(), email_error=""
                )
    if temporary is not None:
        raise temporary
