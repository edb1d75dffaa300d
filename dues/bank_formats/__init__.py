"""Readers of the bank's statement files, one module per format: `camt053` (ISO 20022 XML),
`ofx` (OFX 1.x SGML and 2.x XML, through ofxtools) and `bank_csv` (a bank's CSV export, its
columns told once per bank).

Each reader turns bytes into a `Statement` of credit lines (debits are only counted), or
refuses the whole file with `StatementRefused` and a French message that says why: nothing of
a file that is partly wrong is imported. Readers touch no database.
"""

import dataclasses
import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException


class StatementRefused(ValidationError):
    """The file is not a statement the portal can read; its message says why, in French."""


@dataclasses.dataclass
class Line:
    """A credit as the bank wrote it; `amount` is positive."""

    booking_date: datetime.date
    amount: Decimal
    label: str = ""
    value_date: datetime.date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    bank_reference: str = ""


@dataclasses.dataclass
class Statement:
    format: str
    lines: list = dataclasses.field(default_factory=list)
    debits: int = 0
    account_iban: str = ""
    # The file's own name for the account when it gives no IBAN (an OFX account number).
    account_id: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    # True where the format's standard makes the bank's reference unique per account (FITID,
    # AcctSvcrRef): it then identifies the line on a later import.
    unique_references: bool = True

    def cover(self, start, end):
        """Widen the period to include [start, end] (either may be None)."""
        days = [d for d in (self.period_start, self.period_end, start, end) if d is not None]
        if days:
            self.period_start, self.period_end = min(days), max(days)


# Unicode's control characters (category Cc): C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_text(value, limit=None):
    """Text from a file as it may be stored: control characters (a NUL byte…) and runs of
    white space become one space; cut at `limit` characters."""
    text = " ".join(_CONTROL.sub(" ", value or "").split())
    return text[:limit] if limit else text


def clean_iban(value):
    """A valid IBAN, compact; "" for anything else (an account number that is not one)."""
    compact = "".join((value or "").split()).upper()
    if not compact:
        return ""
    try:
        return IBAN(compact).compact
    except SchwiftyException:
        return ""


def joined(parts):
    """The non-empty parts once each, in order, separated by " / "."""
    return " / ".join(dict.fromkeys(clean_text(part) for part in parts if clean_text(part)))


_ISO_DAY = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def iso_day(value):
    """The date at the start of an ISO 8601 or OFX date ("2026-03-05T10:00:00+01:00",
    "20260305120000[+1:CET]"); None when there is none."""
    match = _ISO_DAY.match((value or "").strip())
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")


def _signed(text):
    """(negative?, the digits and marks): "-50,00", "50,00-", "(50,00)", "+50,00"."""
    negative = text.startswith(("-", "(")) or text.endswith("-")
    return negative, text.strip("+-()")


def _decimal_point(text):
    """One decimal point: "1.234,56" and "1,234.56" → "1234.56", "50,00" → "50.00"; the last
    of a comma and a point is the decimal mark, the other groups thousands."""
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    return text.replace(",", ".")


def parse_amount(value):
    """A bank's amount as a Decimal: "1 234,56", "-50,00", "+50.00", "1.234,56 €", "(12,00)";
    None for an empty cell; ValueError for anything else."""
    text = "".join((value or "").split()).replace("€", "").replace("EUR", "")
    if not text:
        return None
    negative, text = _signed(text)
    text = _decimal_point(text)
    if not _AMOUNT.fullmatch(text):
        raise ValueError(value)
    amount = Decimal(text)
    return -amount if negative else amount


def refused(message, **values):
    return StatementRefused(message % values if values else message, code="refused")


def unreadable_amount(value):
    return refused(_("Montant illisible : « %(value)s »."), value=clean_text(str(value), 40))


def only_euros(currency):
    return refused(
        _("Ce relevé est en %(currency)s : seuls les comptes en euros sont lus."),
        currency=clean_text(currency, 10),
    )
