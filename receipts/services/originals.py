"""The stored original or, when it is damaged, a copy marked DUPLICATA, with a trace.

A receipt's stored PDF is the original that was emailed: it is never rendered again over. If
its file went missing or no longer matches its SHA-256, whoever asked for it (the member's
download, an email) gets a copy rendered from the receipt's rows and marked "DUPLICATA"; the
damage is logged as an error and recorded in the audit trail, and `check_receipts` lists it.
"""

import logging

from members import audit
from members.models import AuditEntry
from receipts.services.rendering import DUPLICATE, DamagedOriginal, render_pdf, stored_pdf

logger = logging.getLogger(__name__)


def original_or_duplicate(receipt, *, actor):
    """(bytes, True) for the intact original; (a DUPLICATA's bytes, False) when it is damaged,
    the damage logged and audited (`actor`: who asked; None for an email or a task)."""
    try:
        return stored_pdf(receipt), True
    except DamagedOriginal as damage:
        logger.error(
            "receipt %s: %s; a DUPLICATA was served instead, the file left as found",
            receipt.number,
            damage,
        )
        audit.record(
            receipt, AuditEntry.Action.RECEIPT_ORIGINAL_DAMAGED, actor=actor, note=str(damage)
        )
        return render_pdf(receipt, mark=DUPLICATE), False
