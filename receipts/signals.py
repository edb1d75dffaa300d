"""Receipts listen to dues (which never imports receipts): a recorded organisation payment gets
its receipt, a bounced or undone payment leaves its receipt. The signals are sent after commit;
the work is handed to a worker, and a broker that is down only delays it until the sweep."""

from django.dispatch import receiver

from cac_portal.tasking import enqueue
from dues.signals import payment_cancelled, payment_recorded, payment_rejected
from members.models import MemberKind


@receiver(payment_recorded, dispatch_uid="receipts.payment_recorded")
def issue_organisation_receipt_on_payment(sender, payment, **kwargs):
    # A past payment taken over by an import was acknowledged long ago: never a receipt.
    if payment.member.kind == MemberKind.ORGANISATION and not payment.is_imported:
        enqueue("receipts.tasks.issue_organisation_receipt", payment.pk)


@receiver(payment_rejected, dispatch_uid="receipts.payment_rejected")
@receiver(payment_cancelled, dispatch_uid="receipts.payment_cancelled")
def withdraw_payment_from_receipt(sender, payment, reason="", **kwargs):
    enqueue("receipts.tasks.withdraw_payment", payment.pk, reason)
