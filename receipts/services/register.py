"""The receipts register (CSV)."""

from members import spreadsheets
from receipts.models import Receipt

REGISTER_HEADER = ["numéro", "date", "donateur", "montant", "état", "remplace"]


def register_rows(issue_year):
    """One row per receipt numbered in `issue_year` (cancelled ones too: the numbers must be
    continuous), in number order."""
    receipts = (
        Receipt.objects.filter(number__startswith=f"{int(issue_year):04d}-")
        .select_related("replaces")
        .order_by("number")
    )
    for receipt in receipts.iterator():
        yield [
            receipt.number,
            receipt.issued_on.isoformat(),
            receipt.donor_name,
            receipt.amount,
            receipt.get_status_display(),
            receipt.replaces.number if receipt.replaces_id else "",
        ]


def write_register(issue_year, stream):
    spreadsheets.write(stream, REGISTER_HEADER, register_rows(issue_year))
