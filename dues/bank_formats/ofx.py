"""OFX statements (1.x SGML, as French banks export them, and 2.x XML), read by ofxtools.

ofxtools reads the header and the tags (its own tokenizer: no XML parser, so no entity is
ever expanded); the transactions are then read from its element tree rather than through its
strict models, which refuse what banks commonly write (a NAME longer than 32 characters, an
amount with a decimal comma). FITID, the bank's identifier of a transaction, is unique per
account: it is the line's reference.
"""

import io
from xml.etree.ElementTree import ParseError as XMLParseError

from django.utils.translation import gettext as _
from ofxtools.header import OFXHeaderError
from ofxtools.Parser import OFXTree, ParseError

from dues.bank_formats import (
    Line,
    Statement,
    clean_iban,
    clean_text,
    iso_day,
    joined,
    only_euros,
    parse_amount,
    refused,
    unreadable_amount,
)

FORMAT = "ofx"


def looks_like(head):
    return b"OFXHEADER" in head or b"<OFX>" in head.upper()


def _unreadable():
    return refused(
        _(
            "Ce fichier OFX est illisible (en-tête ou balises incomplètes) : le relevé a pu "
            "être tronqué au téléchargement. Téléchargez-le à nouveau."
        )
    )


def _tree(data):
    # ofxtools closes what a truncated file left open: the closing tag tells a whole file.
    if not data.rstrip(b" \t\r\n\x00").upper().endswith(b"</OFX>"):
        raise _unreadable()
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except (OFXHeaderError, ParseError, XMLParseError, ValueError, IndexError, KeyError):
        raise _unreadable() from None
    return tree.getroot()


def _text(node, path):
    found = node.find(path)
    return clean_text(found.text) if found is not None and found.text else ""


def _line(transaction):
    """A credit transaction as a line; None for a debit."""
    raw = _text(transaction, "TRNAMT")
    try:
        amount = parse_amount(raw)
    except ValueError:
        raise unreadable_amount(raw) from None
    if amount is None:
        raise unreadable_amount(raw)
    if amount <= 0:
        return None
    name = _text(transaction, "NAME") or _text(transaction, "PAYEE/NAME")
    booked = iso_day(_text(transaction, "DTPOSTED"))
    if booked is None:
        raise refused(_("Une opération de ce relevé OFX n'a pas de date (DTPOSTED)."))
    return Line(
        booking_date=booked,
        value_date=iso_day(_text(transaction, "DTUSER")) or iso_day(_text(transaction, "DTAVAIL")),
        amount=amount,
        label=joined([name, _text(transaction, "MEMO")]),
        counterparty_name=clean_text(name, 200),
        counterparty_iban=clean_iban(_text(transaction, "BANKACCTTO/ACCTID")),
        bank_reference=clean_text(_text(transaction, "FITID"), 100),
    )


def _account(statements):
    accounts = {
        " ".join(
            part
            for part in (
                _text(stmt, ".//BANKACCTFROM/BANKID"),
                _text(stmt, ".//BANKACCTFROM/BRANCHID"),
                _text(stmt, ".//BANKACCTFROM/ACCTID"),
            )
            if part
        )
        for stmt in statements
    }
    if len(accounts) > 1:
        raise refused(
            _(
                "Ce fichier contient les relevés de plusieurs comptes : exportez-les un par un "
                "et importez chacun."
            )
        )
    account = accounts.pop()
    return clean_iban(account.split(" ")[-1]), clean_text(account, 64)


def parse(data):
    """The credit lines of an OFX bank statement (every STMTRS it holds, one account)."""
    root = _tree(data)
    statements = root.findall(".//STMTRS")
    if not statements:
        raise refused(_("Ce fichier OFX ne contient aucun relevé de compte bancaire."))
    statement = Statement(format=FORMAT)
    statement.account_iban, statement.account_id = _account(statements)
    for stmt in statements:
        currency = _text(stmt, "CURDEF") or "EUR"
        if currency != "EUR":
            raise only_euros(currency)
        statement.cover(
            iso_day(_text(stmt, "BANKTRANLIST/DTSTART")), iso_day(_text(stmt, "BANKTRANLIST/DTEND"))
        )
        for transaction in stmt.findall("BANKTRANLIST/STMTTRN"):
            line = _line(transaction)
            if line is None:
                statement.debits += 1
            else:
                statement.lines.append(line)
    return statement
