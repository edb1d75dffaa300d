"""The operations on receipts, one module per topic; the entry points are named here.

Import a submodule's functions from the submodule itself (`receipts.services.sweep.sweep`):
this package's names are the entry points, not the modules.
"""

from receipts.services.batch import issue_annual_receipts
from receipts.services.cancelling import cancel_receipt, withdraw_payment
from receipts.services.issuing import (
    Outcome,
    ReceiptError,
    issue_annual_receipt,
    issue_organisation_receipt,
)
from receipts.services.rendering import ensure_pdf, render_pdf

__all__ = [
    "Outcome",
    "ReceiptError",
    "cancel_receipt",
    "ensure_pdf",
    "issue_annual_receipt",
    "issue_annual_receipts",
    "issue_organisation_receipt",
    "render_pdf",
    "withdraw_payment",
]
