"""The receipts register (CSV): every receipt numbered in a year, what the accountant and a tax
inspector look for, written by the project's formula-safe CSV writer."""

from django.utils import timezone

from members import spreadsheets
from receipts.models import Receipt, ReceiptKind

REGISTER_HEADER = [
    "numéro",
    "date d'émission",
    "type",
    "fiscal (article du CGI)",
    "année des dons",
    "donateur",
    "montant",
    "état",
    "annulé le",
    "motif d'annulation",
    "remplace",
    "remplacé par",
]


def fiscal_article(receipt):
    """The article of the CGI a receipt entitles its donor to, or "non" for a plain one."""
    if not receipt.is_fiscal:
        return "non"
    return "CGI art. 200" if receipt.kind == ReceiptKind.ANNUAL else "CGI art. 238 bis"


def _replaced_by(receipt):
    try:
        return receipt.replaced_by.number
    except Receipt.DoesNotExist:
        return ""


def register_count(issue_year):
    return Receipt.objects.filter(number__startswith=f"{int(issue_year):04d}-").count()


def register_rows(issue_year):
    """One row per receipt numbered in `issue_year` (cancelled ones too: the numbers must be
    continuous), in number order."""
    receipts = (
        Receipt.objects.filter(number__startswith=f"{int(issue_year):04d}-")
        .select_related("replaces", "replaced_by")
        .order_by("number")
    )
    for receipt in receipts.iterator(chunk_size=2000):
        cancelled_on = (
            timezone.localtime(receipt.cancelled_at).date() if receipt.cancelled_at else None
        )
        yield [
            receipt.number,
            receipt.issued_on,
            receipt.get_kind_display(),
            fiscal_article(receipt),
            receipt.fiscal_year,
            receipt.donor_name,
            receipt.amount,
            receipt.get_status_display(),
            cancelled_on,
            receipt.cancellation_reason,
            receipt.replaces.number if receipt.replaces_id else "",
            _replaced_by(receipt),
        ]


def write_register(issue_year, stream):
    spreadsheets.write(stream, REGISTER_HEADER, register_rows(issue_year))
