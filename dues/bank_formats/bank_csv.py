"""A bank's CSV export: French conventions (";" or "," or tab between cells, a decimal comma,
dd/mm/yyyy dates, Windows-1252 or UTF-8), a preamble of account lines before the header at
some banks, debit and credit in two columns at some, one signed amount at others.

Which column holds what is told once per bank (`BankCsvLayout`) and recognised afterwards by
the header's signature: the column names and the separator, whatever the rows.
"""

import csv
import dataclasses
import datetime
import hashlib
import io
import re
import unicodedata

from django.utils.translation import gettext as _

from dues.bank_formats import (
    Line,
    Statement,
    clean_text,
    joined,
    parse_amount,
    refused,
)

FORMAT = "csv"
DELIMITERS = (";", ",", "\t")
# Lines read to find the separator and the header (a preamble is a few lines at most).
SNIFF_LINES = 30


@dataclasses.dataclass
class Table:
    header: list
    rows: list  # (line number in the file, cells)
    delimiter: str

    @property
    def signature(self):
        return signature(self.header, self.delimiter)


def normalised(name):
    """A column name compared the way people read it: no accents, case, punctuation."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def signature(header, delimiter):
    """What recognises a bank's layout: its column names (normalised) and separator."""
    key = delimiter + "\x1f".join(normalised(name) for name in header)
    return hashlib.sha256(key.encode()).hexdigest()


def decode(data):
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # pragma: no cover  (latin-1 decodes every byte)


def _rows(text, delimiter):
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return []


def _named(row):
    """The row without its trailing empty cells (a ";" at the end of every line)."""
    cells = list(row)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _header_index(rows):
    """The first row whose cells are all named (two at least), followed by a row at least as
    wide: a preamble line ("Solde au…;;;4 815,20") has empty cells, a header has none."""
    for index, row in enumerate(rows[:SNIFF_LINES]):
        cells = _named(row)
        if (
            len(cells) >= 2
            and all(cell.strip() for cell in cells)
            and index + 1 < len(rows)
            and len(rows[index + 1]) >= len(cells)
        ):
            return index
    return None


def _best_reading(text):
    """(separator, rows, header's index) of the separator that gives the widest header."""
    readings = []
    for delimiter in DELIMITERS:
        rows = _rows(text, delimiter)
        index = _header_index(rows)
        if index is not None:
            readings.append((len(_named(rows[index])), delimiter, rows, index))
    if not readings:
        return None
    _width, delimiter, rows, index = max(readings, key=lambda reading: reading[0])
    return delimiter, rows, index


def read_table(data):
    """The header and the rows of a CSV export; refused when no separator gives a header and
    rows of the same width (not a CSV, or not a statement)."""
    best = _best_reading(decode(data))
    if best is None:
        raise refused(
            _(
                "Ce fichier n'est ni un relevé CAMT.053, ni un OFX, ni un CSV lisible (aucune "
                "ligne d'en-tête suivie d'opérations)."
            )
        )
    delimiter, rows, index = best
    header = [clean_text(name, 200) for name in _named(rows[index])]
    if len(set(header)) != len(header) or not all(header):
        raise refused(
            _("Les colonnes de ce CSV n'ont pas chacune un nom distinct : « %(header)s »."),
            header=clean_text(" | ".join(header), 200),
        )
    body = [
        (number, row)
        for number, row in enumerate(rows[index + 1 :], start=index + 2)
        if any(cell.strip() for cell in row)
    ]
    return Table(header=header, rows=body, delimiter=delimiter)


# Column names of French banks' exports, normalised, by the role they usually play.
GUESSES = [
    ("value_date_column", ("valeur",)),
    ("date_column", ("date",)),
    ("detail_column", ("complementaire", "detail")),
    ("label_column", ("libelle", "intitule", "description", "nature")),
    ("credit_column", ("credit",)),
    ("debit_column", ("debit",)),
    ("amount_column", ("montant", "somme")),
    ("counterparty_column", ("tiers", "donneur", "emetteur", "beneficiaire")),
    ("reference_column", ("reference",)),
]


def guess_layout(header):
    """{role: column name} as the column names suggest it; what staff confirm or correct."""
    guess = {}
    for name in header:
        words = normalised(name)
        for role, stems in GUESSES:
            if role not in guess and any(stem in words for stem in stems):
                guess[role] = name
                break
    if "credit_column" in guess:
        guess.pop("amount_column", None)
    return guess


_DAY = [
    (re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})"), ("d", "m", "yy")),
]


def parse_day(value):
    """A French bank's date: dd/mm/yyyy (also with "-" or "."), dd/mm/yy or yyyy-mm-dd, with
    or without a time after it; None when it is none of these."""
    text = (value or "").strip()
    for pattern, order in _DAY:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            year = parts.get("y") or 2000 + parts["yy"]
            try:
                return datetime.date(year, parts["m"], parts["d"])
            except ValueError:
                return None
    return None


class _Row:
    """One row read through the layout: the cell of a role, refusals naming line and column."""

    def __init__(self, layout, header, number, cells):
        self.columns = layout.columns
        self.position = {name: i for i, name in enumerate(header)}
        self.number = number
        self.cells = cells

    def cell(self, role):
        name = self.columns.get(role)
        if not name:
            return ""
        index = self.position[name]
        return self.cells[index] if index < len(self.cells) else ""

    def refuse(self, role, message):
        return refused(
            message,
            line=self.number,
            column=self.columns[role],
            value=clean_text(self.cell(role), 40),
        )

    def day(self, role, *, required=False):
        value = self.cell(role)
        day = parse_day(value)
        if day is None and (required or value.strip()):
            raise self.refuse(
                role,
                _(
                    "Ligne %(line)s : la colonne « %(column)s » devrait contenir une date "
                    "(jj/mm/aaaa), elle contient « %(value)s »."
                ),
            )
        return day

    def amount(self, role):
        try:
            return parse_amount(self.cell(role))
        except ValueError:
            raise self.refuse(
                role,
                _(
                    "Ligne %(line)s : la colonne « %(column)s » devrait contenir un montant, "
                    "elle contient « %(value)s »."
                ),
            ) from None

    def credit(self):
        """The credited amount (positive), or None for a debit or an empty row."""
        if self.columns.get("amount_column"):
            amount = self.amount("amount_column")
        else:
            amount = self.amount("credit_column")
            if self.columns.get("debit_column"):
                self.amount("debit_column")  # a debit column that holds no amount is refused
        return amount if amount is not None and amount > 0 else None


def _check_columns(table, layout):
    missing = [name for name in layout.columns.values() if name not in table.header]
    if missing:
        raise refused(
            _("Ce CSV n'a pas la colonne « %(column)s » que ce format de banque indique."),
            column=clean_text(missing[0], 100),
        )


def parse(table, layout):
    """The credit lines of a CSV table read through `layout` (a `BankCsvLayout` or any object
    with its `columns`); a row the layout cannot read refuses the whole file."""
    _check_columns(table, layout)
    # A column of references is whatever the bank put there (a cheque number, "VIR"): it is
    # kept, but only the formats whose references are unique by their standard identify a line.
    statement = Statement(format=FORMAT, unique_references=False)
    for number, cells in table.rows:
        if len(cells) < len(table.header):
            continue  # a balance or total line under the operations, shorter than a row
        row = _Row(layout, table.header, number, cells)
        booked = row.day("date_column", required=True)
        credit = row.credit()
        statement.cover(booked, booked)
        if credit is None:
            statement.debits += 1
            continue
        statement.lines.append(
            Line(
                booking_date=booked,
                value_date=row.day("value_date_column"),
                amount=credit,
                label=joined([row.cell("label_column"), row.cell("detail_column")]),
                counterparty_name=clean_text(row.cell("counterparty_column"), 200),
                bank_reference=clean_text(row.cell("reference_column"), 100),
            )
        )
    return statement
