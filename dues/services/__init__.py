"""The operations that change dues. Each is one transaction; views, tasks and tests call them.

Split by topic: payments (record, reject, undo, correct), pledges (the form), slips.
"""

from dues.services.payments import (
    DuplicatePayment,
    PaymentLocked,
    cancel_payment,
    record_payment,
    reject_payment,
    update_cheque_details,
)

__all__ = [
    "DuplicatePayment",
    "PaymentLocked",
    "cancel_payment",
    "record_payment",
    "reject_payment",
    "update_cheque_details",
]
