"""The receipts register (CSV): every receipt numbered in a year, what the accountant and a tax
inspector look for, written by the project's formula-safe CSV writer."""

from django.utils import timezone

from members import spreadsheets
from receipts.models import Receipt, ReceiptKind, ReceiptStatus

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


# Read as plain values, a page of rows at a time: building each row's model instance (and
# `get_..._display()` on it) cost ten times the writing of the row.
COLUMNS = (
    "number",
    "issued_on",
    "kind",
    "is_fiscal",
    "fiscal_year",
    "donor_name",
    "amount",
    "status",
    "cancelled_at",
    "cancellation_reason",
    "replaces__number",
    "replaced_by__number",
)
ARTICLES = {ReceiptKind.ANNUAL: "CGI art. 200", ReceiptKind.ORGANISATION: "CGI art. 238 bis"}


def fiscal_article(kind, is_fiscal):
    """The article of the CGI a receipt entitles its donor to, or "non" for a plain one."""
    return ARTICLES.get(kind, "") if is_fiscal else "non"


def register_count(issue_year):
    return Receipt.objects.filter(number__startswith=f"{int(issue_year):04d}-").count()


def register_rows(issue_year):
    """One row per receipt numbered in `issue_year` (cancelled ones too: the numbers must be
    continuous), in number order."""
    kinds = {value: str(label) for value, label in ReceiptKind.choices}
    statuses = {value: str(label) for value, label in ReceiptStatus.choices}
    receipts = (
        Receipt.objects.filter(number__startswith=f"{int(issue_year):04d}-")
        .order_by("number")
        .values_list(*COLUMNS)
    )
    for row in receipts.iterator(chunk_size=2000):
        number, issued_on, kind, is_fiscal, year, donor, amount, status, cancelled_at = row[:9]
        yield [
            number,
            issued_on,
            kinds.get(kind, kind),
            fiscal_article(kind, is_fiscal),
            year,
            donor,
            amount,
            statuses.get(status, status),
            timezone.localtime(cancelled_at).date() if cancelled_at else None,
            row[9],
            row[10] or "",
            row[11] or "",
        ]


def write_register(issue_year, stream):
    spreadsheets.write(stream, REGISTER_HEADER, register_rows(issue_year))
