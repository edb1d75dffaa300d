"""Handing work to the Celery workers after commit, without ever failing the caller.

The broker may be down when a cheque is recorded: the payment must still be saved for the
staff, so a failed enqueue is logged and left to the periodic sweep (`sweep.py`).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args):
    """Send `task(*args)` once the current transaction commits (at once outside one)."""

    def send():
        try:
            task.apply_async(args=args)
        except Exception:
            logger.exception("could not enqueue %s%r; the sweep will catch up", task.name, args)

    transaction.on_commit(send)


def deliver_later(receipt_id):
    """Render the receipt's PDF, then email it, in a worker."""
    from receipts.tasks import deliver_receipt

    enqueue(deliver_receipt, receipt_id)
