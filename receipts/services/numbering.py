"""Receipt numbers: `YYYY-NNNNN` by year of issue, continuous and never reused."""

from dues.numbering import take_next

COUNTER = "receipt"


def take_receipt_number(issued_on):
    """The next number of `issued_on`'s year; call it inside the transaction that inserts the
    receipt, so that a rollback gives the number back (no gap) and two issuers wait for each
    other on the counter row (no duplicate). The unique constraint on `number` is the backstop."""
    value = take_next(COUNTER, issued_on.year)
    if value > 99999:
        raise OverflowError(f"more than 99 999 receipts in {issued_on.year}")
    return f"{issued_on.year}-{value:05d}"
