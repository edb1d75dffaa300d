"""CAMT.053 (ISO 20022 "BankToCustomerStatement"), versions 001.02 to 001.08.

The XML is parsed by lxml with what defusedxml protects against turned off at the source: no
entity is expanded, no DTD loaded, nothing fetched from the network, no huge tree; and a
document that declares a DOCTYPE at all (where entity bombs and external entities live) is
refused. Only booked credit entries become lines; an entry that groups several transfers
(a batch) gives one line per transfer when each has its amount.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from dues.bank_formats import (
    Line,
    Statement,
    clean_iban,
    clean_text,
    iso_day,
    joined,
    only_euros,
    refused,
    unreadable_amount,
)

FORMAT = "camt053"
VERSIONS = [f"{version:02d}" for version in range(2, 9)]
NAMESPACES = {f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{v}": v for v in VERSIONS}


# The prolog up to a DOCTYPE: an XML declaration, blanks, comments, processing instructions.
_DOCTYPE_FIRST = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL | re.IGNORECASE
)


def _refuse_doctype():
    return refused(
        _(
            "Ce fichier XML déclare un DOCTYPE, ce qu'un relevé CAMT.053 ne fait jamais : il "
            "est refusé par sécurité."
        )
    )


def safe_root(data):
    """The document's root element, parsed without entities, DTD or network; a DOCTYPE (seen
    before parsing, and checked again after), a truncated or malformed document is refused."""
    if _DOCTYPE_FIRST.match(data):
        raise _refuse_doctype()
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise refused(
            _(
                "Ce fichier XML est incomplet ou mal formé (ligne %(line)s) : le relevé a pu être "
                "tronqué au téléchargement. Téléchargez-le à nouveau."
            ),
            line=error.lineno or "?",
        ) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise _refuse_doctype()
    return root


def _namespace(root):
    namespace = etree.QName(root).namespace or ""
    if namespace not in NAMESPACES or etree.QName(root).localname != "Document":
        raise refused(
            _(
                "Ce fichier XML n'est pas un relevé CAMT.053 des versions 001.02 à 001.08 "
                "(espace de noms « %(namespace)s »). Demandez à la banque l'export CAMT.053."
            ),
            namespace=clean_text(namespace, 100) or _("aucun"),
        )
    return namespace


class _Reader:
    """XPath in the document's namespace, text of the first match."""

    def __init__(self, namespace):
        self.ns = {"c": namespace}

    def all(self, node, path):
        return node.xpath(path, namespaces=self.ns)

    def text(self, node, *paths):
        for path in paths:
            for found in self.all(node, path):
                value = clean_text(found.text if isinstance(found, etree._Element) else found)
                if value:
                    return value
        return ""

    def day(self, node, path):
        return iso_day(self.text(node, f"{path}/c:Dt", f"{path}/c:DtTm"))

    def amount(self, node, *paths):
        for path in paths:
            for found in self.all(node, path):
                currency = found.get("Ccy", "EUR")
                if currency != "EUR":
                    raise only_euros(currency)
                try:
                    value = Decimal(clean_text(found.text))
                except InvalidOperation:
                    raise unreadable_amount(found.text) from None
                if not value.is_finite():
                    raise unreadable_amount(found.text)
                return value
        return None


def _account(reader, statements):
    ibans = {reader.text(stmt, "c:Acct/c:Id/c:IBAN") for stmt in statements}
    if len(ibans) > 1:
        raise refused(
            _(
                "Ce fichier contient les relevés de plusieurs comptes : exportez-les un par un "
                "et importez chacun."
            )
        )
    ids = [reader.text(stmt, "c:Acct/c:Id/c:Othr/c:Id") for stmt in statements]
    return clean_iban(ibans.pop() if ibans else ""), clean_text(ids[0] if ids else "", 64)


def _is_booked(reader, entry):
    status = reader.text(entry, "c:Sts/c:Cd", "c:Sts")
    return status in ("", "BOOK")


def _transaction_line(reader, entry, details, amount, reference):
    """One line from an entry and one of its transaction details (or none)."""
    party = "c:RltdPties/c:Dbtr"
    label_parts = []
    if details is not None:
        label_parts += [found.text for found in reader.all(details, "c:RmtInf/c:Ustrd")]
        label_parts += [
            found.text for found in reader.all(details, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref")
        ]
        label_parts.append(reader.text(details, "c:AddtlTxInf"))
    label_parts.append(reader.text(entry, "c:AddtlNtryInf"))
    node = details if details is not None else entry
    return Line(
        booking_date=reader.day(entry, "c:BookgDt") or reader.day(entry, "c:ValDt"),
        value_date=reader.day(entry, "c:ValDt"),
        amount=amount,
        label=joined(label_parts),
        counterparty_name=clean_text(
            reader.text(
                node, f"{party}/c:Nm", f"{party}/c:Pty/c:Nm", "c:RltdPties/c:UltmtDbtr//c:Nm"
            ),
            200,
        ),
        counterparty_iban=clean_iban(reader.text(node, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN")),
        bank_reference=clean_text(reference, 100),
    )


def _batch_reference(reader, detail, entry_reference, index):
    own = reader.text(detail, "c:Refs/c:AcctSvcrRef")
    return own or (f"{entry_reference}/{index}" if entry_reference else "")


def _batch_lines(reader, entry, details, reference):
    """One line per transfer of a batch entry, when each says its amount; else None."""
    amounts = [reader.amount(d, "c:Amt", "c:AmtDtls/c:TxAmt/c:Amt") for d in details]
    if not all(a is not None and a > 0 for a in amounts):
        return None
    return [
        _transaction_line(
            reader, entry, detail, part, _batch_reference(reader, detail, reference, i)
        )
        for i, (detail, part) in enumerate(zip(details, amounts, strict=True))
    ]


def _entry_lines(reader, entry):
    """The lines of one credit entry: one per transfer of a batch, else one.

    The bank's reference is the account servicer's (unique at that bank); `NtryRef` is unique
    within one statement only, so it is never taken for one."""
    amount = reader.amount(entry, "c:Amt")
    if amount is None or amount <= 0:
        raise unreadable_amount(reader.text(entry, "c:Amt"))
    reference = reader.text(entry, "c:AcctSvcrRef")
    details = reader.all(entry, "c:NtryDtls/c:TxDtls")
    batch = _batch_lines(reader, entry, details, reference) if len(details) > 1 else None
    if batch is not None:
        return batch
    detail = details[0] if len(details) == 1 else None
    if detail is not None and not reference:
        reference = reader.text(detail, "c:Refs/c:AcctSvcrRef")
    return [_transaction_line(reader, entry, detail, amount, reference)]


def parse(data):
    """The credit lines of a CAMT.053 file (every statement it holds, one account)."""
    root = safe_root(data)
    reader = _Reader(_namespace(root))
    statements = reader.all(root, "c:BkToCstmrStmt/c:Stmt")
    if not statements:
        raise refused(_("Ce relevé CAMT.053 ne contient aucun relevé de compte."))
    statement = Statement(format=FORMAT)
    statement.account_iban, statement.account_id = _account(reader, statements)
    for stmt in statements:
        statement.cover(
            iso_day(reader.text(stmt, "c:FrToDt/c:FrDtTm")),
            iso_day(reader.text(stmt, "c:FrToDt/c:ToDtTm")),
        )
        for entry in reader.all(stmt, "c:Ntry"):
            if reader.text(entry, "c:CdtDbtInd") != "CRDT":
                statement.debits += 1
            elif _is_booked(reader, entry):
                statement.lines.extend(_entry_lines(reader, entry))
    if any(line.booking_date is None for line in statement.lines):
        raise refused(_("Une opération de ce relevé n'a pas de date de comptabilisation."))
    return statement
