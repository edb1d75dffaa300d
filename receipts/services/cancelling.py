"""Cancelling a receipt, and what a bounced or undone payment does to its receipt."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cac_portal.tasking import enqueue
from dues.models import PaymentStatus
from members import audit
from members.models import AuditEntry
from receipts.models import ErrorReport, Receipt, ReceiptKind, ReceiptStatus
from receipts.services.issuing import AUDITED_FIELDS, valid_receipt_of_payment
from receipts.services.issuing import reissue as issue_replacement

logger = logging.getLogger(__name__)


def _resolve_reports(receipt, *, actor, now):
    """The members' open error reports on `receipt` are answered by its cancellation."""
    reports = list(ErrorReport.objects.filter(receipt=receipt, resolved_at__isnull=True))
    for report in reports:
        report.resolved_at, report.resolved_by = now, audit.acting_user(actor)
        report.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(
            receipt,
            AuditEntry.Action.RECEIPT_REPORT_RESOLVED,
            actor=actor,
            after={"report": report.pk},
            note=_("Reçu annulé"),
        )


def cancel_receipt(receipt, *, reason, actor, reissue=True):
    """Cancel `receipt` (its number stays used, its PDF is kept) and, if `reissue`, issue the
    corrected receipt that names it in `replaces`. Returns the new receipt, or None.

    The corrected receipt copies the donor afresh from the member (that is how a wrong address
    is fixed) and covers the cancelled receipt's payments that are still received: an annual
    summary also picks up the year's payments no valid receipt covers. One transaction: the
    cancellation, its replacement and the members' error reports it answers are committed
    together or not at all. Once committed, the new receipt is rendered and emailed by the
    workers.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'annulation.")})
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.status == ReceiptStatus.CANCELLED:
            raise ValidationError(_("Ce reçu est déjà annulé."))
        before = audit.snapshot(locked, AUDITED_FIELDS)
        locked.status = ReceiptStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancellation_reason = reason
        locked.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
        locked.lines.update(is_valid=False)
        audit.record(
            locked,
            AuditEntry.Action.RECEIPT_CANCELLED,
            actor=actor,
            before=before,
            after=audit.snapshot(locked, AUDITED_FIELDS),
            note=reason,
        )
        _resolve_reports(locked, actor=actor, now=locked.cancelled_at)
        new = issue_replacement(locked, actor=actor) if reissue else None
        if new is not None:
            enqueue("receipts.tasks.deliver_receipt", new.pk)
    receipt.refresh_from_db()
    return new


def withdraw_payment(payment, *, reason, actor):
    """A payment bounced or was undone: its receipt must stop covering it.

    An organisation receipt covers that one payment: it is cancelled, nothing replaces it. An
    annual summary may cover other payments the donor really made: it is cancelled and a
    corrected summary without the withdrawn payment replaces it (none if nothing is left), so
    the donor keeps a valid receipt for what they gave. A payment no receipt covers yet needs
    nothing: the January batch only takes received payments.
    """
    if payment.status == PaymentStatus.RECEIVED:
        return None
    receipt = valid_receipt_of_payment(payment.pk)
    if receipt is None:
        return None
    note = _("Paiement rejeté ou annulé (%(method)s du %(date)s, %(amount)s €) : %(reason)s") % {
        "method": payment.get_method_display(),
        "date": payment.received_on.strftime("%d/%m/%Y"),
        "amount": payment.amount,
        "reason": reason or payment.status_reason,
    }
    return cancel_receipt(
        receipt,
        reason=note,
        actor=actor,
        reissue=receipt.kind == ReceiptKind.ANNUAL,
    )
