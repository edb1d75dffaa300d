"""Importing the bank's statements: read the file (one reader per format, `dues.bank_formats`),
keep the credit lines not already known, then match them (`dues.services.matching`).

A file is imported whole or not at all: a reader refuses it with a French message
(`StatementRefused`), or a CSV whose header no bank layout knows asks for its columns first
(`CsvLayoutNeeded`). Each line is stored once per account, whatever the files it came in.
"""

import dataclasses
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from dues.bank_formats import bank_csv, camt053, ofx, refused
from dues.models import BankCsvLayout, BankLine, BankStatement
from dues.services.matching import match_lines
from members import audit
from members.audit import acting_user

CENT = Decimal("0.01")
# The largest amount `BankLine.amount` holds, and then some: no bank credits that much.
AMOUNT_CEILING = Decimal("1000000000")
# What a file's first bytes may start with before its first "<": byte-order marks, blanks.
_XML_LEAD = b"\xef\xbb\xbf\xff\xfe \t\r\n\x00"


class CsvLayoutNeeded(Exception):
    """A CSV whose header no saved layout knows: staff say once which column holds what."""

    def __init__(self, table):
        super().__init__("csv layout needed")
        self.table = table
        self.guess = bank_csv.guess_layout(table.header)


@dataclasses.dataclass(frozen=True)
class ImportResult:
    statement: BankStatement | None
    read: int
    added: int
    debits: int
    sure: int

    @property
    def known(self):
        return self.read - self.added


def read_statement(data):
    """The parsed `Statement` of a file's bytes, whatever its format; a CSV is read through
    the saved layout of its header (CsvLayoutNeeded when there is none)."""
    head = data[:4096]
    if not data.strip():
        raise refused(_("Ce fichier est vide."))
    if ofx.looks_like(head):
        return ofx.parse(data)
    if head.lstrip(_XML_LEAD).startswith(b"<"):
        return camt053.parse(data)
    table = bank_csv.read_table(data)
    layout = BankCsvLayout.objects.filter(signature=table.signature).first()
    if layout is None:
        raise CsvLayoutNeeded(table)
    return bank_csv.parse(table, layout)


def fingerprint(account, line, rank, *, unique_references):
    """What identifies a line within its account: the bank's reference where the format makes
    it unique, else a hash of the date, amount, label, reference and rank among the identical
    lines of that day (two equal transfers on one day stay two lines)."""
    if unique_references and line.bank_reference:
        return f"ref:{line.bank_reference}"
    key = "\x1f".join(
        [
            account,
            line.booking_date.isoformat(),
            f"{line.amount:.2f}",
            line.label,
            line.bank_reference,
            str(rank),
        ]
    )
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _bank_lines(parsed, account):
    """The rows to insert, once each even if the file repeats a line (same fingerprint)."""
    ranks = {}
    rows = {}
    for line in parsed.lines:
        same_day = (line.booking_date, line.amount, line.label, line.bank_reference)
        ranks[same_day] = ranks.get(same_day, -1) + 1
        key = fingerprint(
            account, line, ranks[same_day], unique_references=parsed.unique_references
        )
        rows.setdefault(
            key,
            BankLine(
                account=account,
                booking_date=line.booking_date,
                value_date=line.value_date,
                amount=line.amount.quantize(CENT),
                label=line.label,
                counterparty_name=line.counterparty_name,
                counterparty_iban=line.counterparty_iban,
                bank_reference=line.bank_reference,
                fingerprint=key,
            ),
        )
    return list(rows.values())


def _check_amounts(parsed):
    for line in parsed.lines:
        if line.amount != line.amount.quantize(CENT) or line.amount > AMOUNT_CEILING:
            raise refused(_("Montant illisible : « %(value)s »."), value=str(line.amount)[:40])


def _save_layout(layout, table, *, actor):
    """Remember a CSV layout (by its header's signature), replacing an older one."""
    values = {role: getattr(layout, role) for role in _LAYOUT_FIELDS}
    saved, _created = BankCsvLayout.objects.update_or_create(
        signature=table.signature,
        defaults={
            **values,
            "header": table.header,
            "delimiter": table.delimiter,
            "saved_by": acting_user(actor),
        },
    )
    audit.record(
        saved,
        audit.Action.CSV_LAYOUT_SAVED,
        actor=actor,
        after={**values, "header": table.header},
    )
    return saved


_LAYOUT_FIELDS = [
    "bank_name",
    "date_column",
    "value_date_column",
    "label_column",
    "detail_column",
    "amount_column",
    "credit_column",
    "debit_column",
    "counterparty_column",
    "reference_column",
]


def import_statement(*, data, file_name, actor, account_iban="", layout=None):
    """Store the new credit lines of a statement file, then match them.

    `account_iban` names the account when the file does not (a CSV); `layout` reads a CSV
    whose columns staff just told (it is remembered only if the whole file reads with it).

    Invariants: the file is imported whole or not at all (StatementRefused, CsvLayoutNeeded);
    only credits are kept; a line already stored for that account (same bank reference, or
    same date, amount, label and rank within the day) is not stored again, so importing the
    same or an overlapping statement adds nothing twice, even two imports at once (the
    database's unique constraint, conflicts ignored); a file that adds nothing leaves no
    statement behind. The audit trail records who imported what.
    """
    table = bank_csv.read_table(data) if layout is not None else None
    parsed = bank_csv.parse(table, layout) if table is not None else read_statement(data)
    _check_amounts(parsed)
    account_iban = parsed.account_iban or account_iban
    account = account_iban or parsed.account_id
    rows = _bank_lines(parsed, account)
    with transaction.atomic():
        if table is not None:
            _save_layout(layout, table, actor=actor)
        statement = BankStatement.objects.create(
            file_name=file_name[:255],
            format=parsed.format,
            account_iban=account_iban,
            period_start=parsed.period_start,
            period_end=parsed.period_end,
            credits_read=len(parsed.lines),
            imported_by=acting_user(actor),
        )
        for row in rows:
            row.statement = statement
        BankLine.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        added = statement.lines.count()
        if added:
            audit.record(
                statement,
                audit.Action.STATEMENT_IMPORTED,
                actor=actor,
                after={
                    "file": statement.file_name,
                    "format": statement.format,
                    "account": account,
                    "credits": len(parsed.lines),
                    "added": added,
                    "debits": parsed.debits,
                },
            )
        else:
            statement.delete()
            statement = None
    sure = match_lines(statement.lines.all()) if statement is not None else 0
    return ImportResult(
        statement=statement,
        read=len(parsed.lines),
        added=added,
        debits=parsed.debits,
        sure=sure,
    )
