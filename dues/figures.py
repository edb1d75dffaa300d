"""Figures of the money that came in, summed by the database: one query each, whatever the
number of payments. The staff's dashboard and the treasurer's read them."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from dues.models import Payment, PaymentMethod


def undeposited_cheques():
    """Received cheques not yet on a deposited slip: {count, total, on_slip} (on_slip: those
    already on a slip that has not gone to the bank yet)."""
    totals = (
        # Imported cheques were deposited in the old books; a closed member's still are not.
        Payment.objects.valid()
        .filter(method=PaymentMethod.CHEQUE, is_imported=False)
        .filter(Q(deposit_slip__isnull=True) | Q(deposit_slip__deposited_at__isnull=True))
        .aggregate(
            count=Count("pk"),
            total=Sum("amount"),
            on_slip=Count("pk", filter=Q(deposit_slip__isnull=False)),
        )
    )
    totals["total"] = totals["total"] or Decimal("0.00")
    return totals


def month_receipts(day):
    """The money received in `day`'s month, by method: [{method, label, count, total}], every
    method listed (zero when nothing came), and the month's count and total."""
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    rows = (
        Payment.objects.valid()
        .filter(received_on__gte=first, received_on__lt=following)
        .values("method")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    found = {row["method"]: row for row in rows}
    methods = [
        {
            "method": method,
            "label": label,
            "count": found.get(method, {}).get("count", 0),
            "total": found.get(method, {}).get("total") or Decimal("0.00"),
        }
        for method, label in PaymentMethod.choices
    ]
    return {
        "first": first,
        "methods": methods,
        "count": sum(row["count"] for row in methods),
        "total": sum((row["total"] for row in methods), Decimal("0.00")),
    }
