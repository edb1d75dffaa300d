"""What `manage.py check_receipts` reports: receipts the treasurer should look at. It changes
nothing: cancelling and reissuing stays the treasurer's deliberate act."""

from django.db.models import F
from django.db.models.functions import ExtractYear

from receipts.models import Receipt, ReceiptLine, ReceiptStatus
from receipts.services.rendering import check_original


def lines_outside_their_year():
    """The lines of valid fiscal receipts received in another year than their receipt's: what
    the old rule (the dues year instead of the day of receipt) left on some summaries."""
    return (
        ReceiptLine.objects.filter(receipt__status=ReceiptStatus.ISSUED, receipt__is_fiscal=True)
        .annotate(received_year=ExtractYear("received_on"))
        .exclude(received_year=F("receipt__fiscal_year"))
        .select_related("receipt")
        .order_by("receipt__number", "received_on", "pk")
    )


def damaged_originals():
    """(receipt, what is wrong) for each stored original missing or not matching its SHA-256."""
    for receipt in Receipt.objects.exclude(pdf="").order_by("number").iterator():
        damage = check_original(receipt)
        if damage:
            yield receipt, damage
