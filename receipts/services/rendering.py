"""The receipt's PDF: WeasyPrint from one HTML template per kind, rendered from the receipt's own
rows only (its copied donor and beneficiary, its lines), so rendering again gives the same text.

A worker parses the stylesheet, builds its font configuration and compiles the templates once
for its life (module-level, lazily): per receipt, only the HTML is rendered and laid out.
"""

import base64
import hashlib
import logging
import mimetypes
import os
import threading
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import get_template

from dues import pdf
from receipts.models import Receipt, ReceiptKind, private_storage
from receipts.services.words import euros_in_figures, euros_in_words

STYLESHEET = settings.BASE_DIR / "static" / "css" / "receipts.css"
TEMPLATES = {
    (ReceiptKind.ANNUAL, True): "receipts/pdf/annual.html",
    (ReceiptKind.ORGANISATION, True): "receipts/pdf/organisation_fiscal.html",
    (ReceiptKind.ORGANISATION, False): "receipts/pdf/organisation_paid.html",
}
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
# The receipt's own words for the payment modes: they do not follow the site's translations.
METHODS = {"cheque": "chèque", "transfer": "virement", "cash": "espèces"}
CANCELLED = "ANNULÉ"
DUPLICATE = "DUPLICATA"

# WeasyPrint logs every layout step at INFO: thousands of lines per batch, for nothing.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logger = logging.getLogger(__name__)

_lock = threading.Lock()
_engine = {}


def _shared():
    """(CSS, {kind: Template}, signatures): built on first use, kept for the worker's life.
    The fonts and the URL fetcher (`data:` only: fonts are installed and images inline) are
    `dues.pdf`'s, shared with the deposit slips; WeasyPrint's font configuration caches the
    fonts it has loaded, which keeps the per-receipt cost at the layout alone."""
    if not _engine:
        with _lock:
            if not _engine:
                from weasyprint import CSS

                _engine["css"] = CSS(
                    filename=str(STYLESHEET),
                    font_config=pdf.font_config(),
                    url_fetcher=pdf.url_fetcher(),
                )
                _engine["templates"] = {key: get_template(name) for key, name in TEMPLATES.items()}
                _engine["signatures"] = {}
    return _engine


def french_date(day):
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def _percent(rate):
    value = (float(rate) * 100) if rate else 0
    return f"{value:g} %".replace(".", ",")


def _signature_src(name):
    """The signature image as a data: URI (no URL is ever fetched), cached per file name: the
    collective's row keeps the old file's name when a new signature is uploaded."""
    if not name:
        return ""
    cache = _shared()["signatures"]
    if name not in cache:
        try:
            with default_storage.open(name, "rb") as image:
                data = image.read()
        except OSError:
            data = b""
        if not data:
            return ""  # not cached: the file may be back next time
        mime = mimetypes.guess_type(name)[0] or "image/png"
        cache[name] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return cache[name]


def receipt_context(receipt, *, mark=""):
    beneficiary = receipt.beneficiary
    lines = [
        {
            "date": french_date(line.received_on),
            "method": METHODS.get(line.method, line.method),
            "amount": euros_in_figures(line.amount),
        }
        for line in receipt.lines.all()
    ]
    replaces = receipt.replaces.number if receipt.replaces_id else ""
    return {
        "receipt": receipt,
        "mark": mark,
        "number": receipt.number,
        "issued_on": french_date(receipt.issued_on),
        "fiscal_year": receipt.fiscal_year,
        "replaces": replaces,
        "amount_figures": euros_in_figures(receipt.amount),
        "amount_words": euros_in_words(receipt.amount),
        "lines": lines,
        "beneficiary": beneficiary,
        "individual_rate": _percent(beneficiary.get("individual_rate")),
        "corporate_rate": _percent(beneficiary.get("corporate_rate")),
        "signature_src": _signature_src(beneficiary.get("signature", "")),
        "donor_address_lines": [x for x in receipt.donor_address.splitlines() if x.strip()],
    }


def receipt_html(receipt, *, mark=""):
    template = _shared()["templates"][(receipt.kind, receipt.is_fiscal)]
    return template.render(receipt_context(receipt, mark=mark))


def html_to_pdf(html):
    """WeasyPrint alone: the parsed stylesheet, the shared fonts and fetcher, nothing fetched."""
    return pdf.html_to_pdf(html, stylesheets=[_shared()["css"]])


def render_pdf(receipt, *, mark=""):
    """The receipt's PDF bytes; `mark` ("ANNULÉ", "DUPLICATA") is printed across the page."""
    return html_to_pdf(receipt_html(receipt, mark=mark))


def _write_atomically(storage, name, data):
    """Write under a temporary name, then rename: a reader never sees half a PDF. Storages
    without local paths (S3) upload a whole object anyway.

    No fsync: the database row is the source of truth and the file can always be rendered
    again from it; a file a power cut left truncated fails its SHA-256 check when read and is
    rendered again (`stored_pdf`). An fsync per receipt cost a third of the batch's time."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        return storage.save(name, ContentFile(data))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    return name


def pdf_exists(receipt):
    return bool(receipt.pdf) and private_storage().exists(receipt.pdf.name)


def _render_and_write(receipt, known=""):
    data = render_pdf(receipt)
    name = known or f"receipts/{receipt.fiscal_year}/{uuid.uuid4().hex}.pdf"
    name = _write_atomically(private_storage(), name, data)
    return name, hashlib.sha256(data).hexdigest()


def _record(receipt, known, name, digest):
    """Point the row at the file, only if it still has the name we saw: two workers rendering
    at once keep one file."""
    updated = Receipt.objects.filter(pk=receipt.pk, pdf=known).update(pdf=name, pdf_sha256=digest)
    if updated:
        receipt.pdf.name, receipt.pdf_sha256 = name, digest
    else:
        if name != known:
            private_storage().delete(name)
        receipt.refresh_from_db(fields=["pdf", "pdf_sha256"])


def ensure_pdf(receipt, *, damaged=False):
    """Render and store the receipt's PDF if it has none (or its file went missing, or is
    `damaged`), under a random name with its SHA-256. Returns the receipt with `pdf` set."""
    if not damaged and pdf_exists(receipt):
        return receipt
    known = receipt.pdf.name if receipt.pdf else ""
    _record(receipt, known, *_render_and_write(receipt, known))
    return receipt


def ensure_pdfs(receipts):
    """`ensure_pdf` for the new receipts of a batch, the rows updated in one transaction (one
    commit for the group instead of one each). Returns the receipts that have their PDF; one
    that fails is logged and left to the sweep."""
    written = []
    for receipt in receipts:
        if receipt.pdf:
            written.append((receipt, None))
            continue
        try:
            written.append((receipt, _render_and_write(receipt)))
        except Exception:
            logger.exception("rendering %s failed; the sweep will render it", receipt.number)
    with transaction.atomic():
        for receipt, stored in written:
            if stored is not None:
                _record(receipt, "", *stored)
    return [receipt for receipt, _ in written]


def stored_pdf(receipt):
    """The stored original's bytes, re-rendered first if the file went missing or does not
    match its SHA-256 any more."""
    ensure_pdf(receipt)
    with private_storage().open(receipt.pdf.name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != receipt.pdf_sha256:
        ensure_pdf(receipt, damaged=True)
        with private_storage().open(receipt.pdf.name, "rb") as handle:
            data = handle.read()
    return data
