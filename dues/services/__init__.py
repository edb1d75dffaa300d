"""The operations that change dues. Each is one transaction; views, tasks and tests call them.

Split by topic: payments (record, reject, undo), pledges (the form), slips (deposit slips).
"""

from dues.services.payments import DuplicatePayment, record_payment, reject_payment

__all__ = ["DuplicatePayment", "record_payment", "reject_payment"]
