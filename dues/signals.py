"""What dues tells the apps above it. Sent after commit, so listeners see committed rows.

`receipts` connects to these in `ReceiptsConfig.ready`; dues never imports receipts.
"""

from django.dispatch import Signal

# payment=Payment. A payment was recorded (received).
payment_recorded = Signal()
# payment=Payment, reason=str. A recorded payment bounced (rejected cheque).
payment_rejected = Signal()
# payment=Payment, reason=str. A recorded payment was undone as an entry mistake.
payment_cancelled = Signal()
# The staff's dashboard asks the apps above what waits for someone: each receiver returns a
# list of {"key": str, "label": str, "count": int} (counts only: staff see no member's data
# there). Sent with sender=None.
desk_pending = Signal()
