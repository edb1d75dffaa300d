"""The references a payer writes on a transfer, and how to read them back from a bank's label.

A pledge's ISO 11649 creditor reference ("RF…") carries the member's reference and the year:
the body `CAC000123A2026` is the member reference without its hyphen, the letter A (année),
and the four digits of the year. A pledge waiting to be attached to a member (sent without
logging in with a known member's address) carries its own reference instead, `P2026000042`:
it reveals no member, and staff find the pledge by it.

The member's number has no fixed length (it grows with the primary key), the year always has
four digits and the A separates them: the body reads back unambiguously, and the two check
digits (ISO 7064 mod 97-10, checked with python-stdnum) catch a mistyped character.
"""

import dataclasses
import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

MEMBER_PREFIX = "CAC"
YEAR_MARK = "A"
# The compact RF as it appears once spaces are removed from a label: the member's number and a
# four-digit year; what follows the year may be glued-on text ("…A2026COTISATION").
_RF_IN_TEXT = re.compile(r"RF(\d\d)(CAC(\d{1,13})A(\d{4})|P(\d{4})(\d{6,12}))")
# `CAC-000123`, `CAC000123`, `cac 123`, `Cac_123`: not glued to a preceding letter.
_MEMBER_REFERENCE = re.compile(r"(?<![A-Z])CAC[\s\-_.:/]*(\d{1,9})(?!\d)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class CreditorReference:
    """What an RF reference says: whose payment it is, for which year."""

    member_reference: str | None  # None for a pledge waiting to be attached
    year: int
    compact: str
    pledge_reference: str = ""

    @property
    def formatted(self):
        return iso11649.format(self.compact)


def member_reference(number):
    """The member reference for a number: 123 → "CAC-000123" (as `Member.save` writes it)."""
    return f"{MEMBER_PREFIX}-{int(number):06d}"


def _body(pledge):
    """The RF body of `pledge`: its member's reference and its year; for a pledge waiting to
    be attached, its own reference ("P2026-000042" → "P2026000042"). The one place that
    decides what a pledge's reference carries."""
    if pledge.member_id is None:
        return pledge.reference.replace("-", "")
    return f"{pledge.member.reference.replace('-', '')}{YEAR_MARK}{pledge.year:04d}"


def rf_from_body(body):
    """The full ISO 11649 reference of a body: "RF", two check digits, the body."""
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def creditor_reference(pledge):
    """The pledge's ISO 11649 creditor reference, compact ("RF47CAC000123A2026")."""
    return rf_from_body(_body(pledge))


def format_reference(compact):
    """Grouped by four, as it is printed for people to copy: "RF47 CAC0 0012 3A20 26"."""
    return iso11649.format(compact)


def _compact_text(text):
    return "".join((text or "").upper().split())


def find_creditor_references(text):
    """The valid RF references of the portal found in `text` (a bank label), tolerant of case
    and of spaces anywhere (people copy it grouped by four, banks cut lines). The check digits
    must be right: a glued neighbouring word or a typo is not taken for a reference."""
    found = []
    compact = _compact_text(text)
    for match in _RF_IN_TEXT.finditer(compact):
        reference = f"RF{match[1]}{match[2]}"
        if iso11649.is_valid(reference):
            found.append(_read(match, reference))
    return list(dict.fromkeys(found))


def _read(match, reference):
    if match[3] is not None:
        return CreditorReference(member_reference(match[3]), int(match[4]), reference)
    pledge = f"P{match[5]}-{match[6]}"
    return CreditorReference(None, int(match[5]), reference, pledge_reference=pledge)


def read_creditor_reference(reference):
    """Parse one RF reference back: a `CreditorReference`, or None when it is not one of ours
    or its check digits are wrong."""
    found = find_creditor_references(reference)
    if len(found) != 1 or found[0].compact != iso11649.compact(reference or ""):
        return None
    return found[0]


def find_member_references(text):
    """The member references written in `text` ("CAC-000123", "cac 123"…), in order, once."""
    return list(
        dict.fromkeys(member_reference(match[1]) for match in _MEMBER_REFERENCE.finditer(text))
    )
