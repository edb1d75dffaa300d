"""Receipt numbers: `YYYY-NNNNN` by year of issue, continuous and never reused."""

from dues.numbering import take_next

COUNTER = "receipt"


def take_receipt_numbers(issued_on, count):
    """`count` consecutive numbers of `issued_on`'s year; call it inside the transaction that
    inserts the receipts, so that a rollback gives the numbers back (no gap) and two issuers
    wait for each other on the counter row (no duplicate). The unique constraint on `number`
    is the backstop."""
    first = take_next(COUNTER, issued_on.year, count)
    last = first + count - 1
    if last > 99999:
        raise OverflowError(f"more than 99 999 receipts in {issued_on.year}")
    return [f"{issued_on.year}-{value:05d}" for value in range(first, last + 1)]


def take_receipt_number(issued_on):
    return take_receipt_numbers(issued_on, 1)[0]
