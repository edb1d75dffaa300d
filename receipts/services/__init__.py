"""The operations on receipts (DESIGN.md "Entry points"), one module per topic."""

from receipts.services.batch import issue_annual_receipts
from receipts.services.cancelling import cancel_receipt, withdraw_payment
from receipts.services.issuing import (
    ReceiptError,
    issue_annual_receipt,
    issue_organisation_receipt,
)
from receipts.services.rendering import ensure_pdf, render_pdf
from receipts.services.sweep import sweep

__all__ = [
    "ReceiptError",
    "cancel_receipt",
    "ensure_pdf",
    "issue_annual_receipt",
    "issue_annual_receipts",
    "issue_organisation_receipt",
    "render_pdf",
    "sweep",
    "withdraw_payment",
]
