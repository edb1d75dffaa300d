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

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from charter import fiscal
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
# The forms' own words (they do not follow the site's translations): the modes of payment as
# each model words its boxes, and as a plain receipt says them.
MODES = {
    fiscal.INDIVIDUALS: [
        ("cash", "Remise d'espèces"),
        ("cheque", "Chèque"),
        ("transfer", "Virement, prélèvement, carte bancaire"),
    ],
    fiscal.COMPANIES: [
        ("cash", "Remise d'espèces"),
        ("cheque", "Chèque"),
        ("transfer", "Virement, prélèvement ou carte bancaire"),
        ("other", "Autre"),
    ],
    None: [("cash", "Espèces"), ("cheque", "Chèque"), ("transfer", "Virement")],
}
FORMS = {
    (ReceiptKind.ANNUAL, True): fiscal.INDIVIDUALS,
    (ReceiptKind.ORGANISATION, True): fiscal.COMPANIES,
}
TITLES = {
    fiscal.INDIVIDUALS: "Reçu fiscal n° {number} (CERFA 11580*05, CGI art. 200)",
    fiscal.COMPANIES: "Reçu fiscal n° {number} (CERFA 16216*03, CGI art. 238 bis)",
    None: "Reçu n° {number}",
}
# Archived for six years and more (LPF art. L102 E): PDF/A-3b, its fonts embedded, its
# metadata in XMP.
PDF_VARIANT = "pdf/a-3b"
QR_MASK = 0
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


def _verification_url(receipt):
    base = receipt.beneficiary.get("verification_base") or settings.SITE_URL
    return base + reverse("receipts:verify", args=[receipt.verification_token])


def _qr_svg(url):
    """The QR code of `url` as inline SVG (vector, sharp at any size; nothing fetched).

    The mask is fixed: every mask reads the same, and choosing the "best" one scores all
    eight patterns, five times the cost of the code itself (measured: 25 ms against 5 ms per
    receipt on the loaded 2-core machine), paid by every receipt of the January batch."""
    return segno.make(url, error="m", mask=QR_MASK).svg_inline(omitsize=True, svgclass="qr")


def _metadata(receipt, form, mark):
    """What the PDF's XMP and document information say: title (with the number), issuer,
    creation date (the receipt's own, so a rendering again says the same), keywords."""
    title = TITLES[form].format(number=receipt.number) + (f" — {mark}" if mark else "")
    keywords = [receipt.number, f"dons {receipt.fiscal_year}"]
    if form:
        keywords += [
            "reçu fiscal",
            f"CERFA {'11580*05' if form == fiscal.INDIVIDUALS else '16216*03'}",
        ]
    return {
        "title": title,
        "author": receipt.beneficiary.get("name", ""),
        "description": f"{title}, émis le {receipt.issued_on:%d/%m/%Y}",
        "keywords": ", ".join(keywords),
        "created": timezone.localtime(receipt.issued_at).isoformat(timespec="seconds"),
    }


def _fiscal_context(receipt, form, lines):
    beneficiary = receipt.beneficiary
    key = "quality_individuals" if form == fiscal.INDIVIDUALS else "quality_companies"
    present = {line.method for line in lines}
    url = _verification_url(receipt)
    general, others = fiscal.boxes(form, beneficiary.get("quality"), beneficiary.get(key))
    half = (len(others) + 1) // 2
    return {
        "general_interest_boxes": general,
        # Two columns as two cells: CSS columns would double the layout time of a receipt.
        "other_quality_columns": [others[:half], others[half:]],
        # Receipts issued before the qualities followed the forms kept the words typed then.
        "former_quality": "" if "quality" in beneficiary else beneficiary.get("legal_quality"),
        "mode_boxes": [(label, code in present) for code, label in MODES[form]],
        "verification_url": url,
        "qr_svg": _qr_svg(url),
    }


def receipt_context(receipt, *, mark=""):
    form = FORMS.get((receipt.kind, receipt.is_fiscal))
    records = list(receipt.lines.all())
    labels = dict(MODES[form])
    beneficiary = receipt.beneficiary
    context = {
        "receipt": receipt,
        "mark": mark,
        "number": receipt.number,
        "issued_on": french_date(receipt.issued_on),
        "fiscal_year": receipt.fiscal_year,
        "replaces": receipt.replaces.number if receipt.replaces_id else "",
        "amount_figures": euros_in_figures(receipt.amount),
        "amount_words": euros_in_words(receipt.amount),
        "lines": [
            {
                "date": french_date(line.received_on),
                "method": labels.get(line.method, line.method),
                "amount": euros_in_figures(line.amount),
            }
            for line in records
        ],
        "purpose": records[0].purpose if records else "",
        "dues_year": records[0].dues_year if records else receipt.fiscal_year,
        "beneficiary": beneficiary,
        "signature_src": _signature_src(beneficiary.get("signature", "")),
        "donor_address_lines": [x for x in receipt.donor_address.splitlines() if x.strip()],
        "meta": _metadata(receipt, form, mark),
    }
    if form:
        context.update(_fiscal_context(receipt, form, records))
    return context


def receipt_html(receipt, *, mark=""):
    template = _shared()["templates"][(receipt.kind, receipt.is_fiscal)]
    return template.render(receipt_context(receipt, mark=mark))


def html_to_pdf(html):
    """WeasyPrint alone: the parsed stylesheet, the shared fonts and fetcher, nothing fetched;
    PDF/A-3b for the archive."""
    return pdf.html_to_pdf(html, stylesheets=[_shared()["css"]], pdf_variant=PDF_VARIANT)


def render_pdf(receipt, *, mark=""):
    """The receipt's PDF bytes; `mark` ("ANNULÉ", "DUPLICATA") is printed across the page."""
    return html_to_pdf(receipt_html(receipt, mark=mark))


def _write_atomically(storage, name, data):
    """Write under a temporary name, then rename: a reader never sees half a PDF. Storages
    without local paths (S3) upload a whole object anyway.

    No fsync: a file a power cut left truncated fails its SHA-256 check when read; it is then
    reported (`check_receipts`) and served as a DUPLICATA, never rendered over. An fsync per
    receipt cost a third of the batch's time."""
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


def _render_and_write(receipt):
    data = render_pdf(receipt)
    name = f"receipts/{receipt.fiscal_year}/{uuid.uuid4().hex}.pdf"
    name = _write_atomically(private_storage(), name, data)
    return name, hashlib.sha256(data).hexdigest()


def _record(receipt, name, digest):
    """Point the row at its first original, only if it still has none: two workers rendering
    at once keep one file (the other one's is deleted)."""
    updated = Receipt.objects.filter(pk=receipt.pk, pdf="").update(pdf=name, pdf_sha256=digest)
    if updated:
        receipt.pdf.name, receipt.pdf_sha256 = name, digest
    else:
        private_storage().delete(name)
        receipt.refresh_from_db(fields=["pdf", "pdf_sha256"])


def ensure_pdf(receipt):
    """Render and store the receipt's original if it has none yet, under a random name with its
    SHA-256. An original once stored is never rendered again, even if its file is damaged."""
    if not receipt.pdf:
        _record(receipt, *_render_and_write(receipt))
    return receipt


def render_held(receipts):
    """Render the given receipts, whose rows the caller's transaction holds (locked, still
    without a PDF), and point the rows at their files in one statement. Returns the receipts
    rendered; one that fails is logged and left without its PDF (the sweep tries again)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("render_held() must run inside transaction.atomic()")
    rendered = []
    for receipt in receipts:
        try:
            receipt.pdf.name, receipt.pdf_sha256 = _render_and_write(receipt)
        except Exception:
            logger.exception("rendering %s failed; the sweep will render it", receipt.number)
            continue
        rendered.append(receipt)
    Receipt.objects.bulk_update(rendered, ["pdf", "pdf_sha256"])
    return rendered


def ensure_pdfs(receipts):
    """`ensure_pdf` for the new receipts of a batch, as one claim: their rows are locked while
    they are rendered, so no other worker renders them meanwhile (`render_missing` skips
    locked rows), and they are recorded together. A receipt another worker rendered first is
    waited for and kept as it is. Returns the receipts that have their PDF."""
    by_pk = {receipt.pk: receipt for receipt in receipts}
    with transaction.atomic():
        current = (
            Receipt.objects.select_for_update()
            .filter(pk__in=by_pk)
            .order_by("pk")
            .values_list("pk", "pdf", "pdf_sha256")
        )
        missing = []
        for pk, name, digest in current:
            receipt = by_pk[pk]
            if name:
                receipt.pdf.name, receipt.pdf_sha256 = name, digest
            else:
                missing.append(receipt)
        render_held(missing)
    return [receipt for receipt in receipts if receipt.pdf]


MISSING = "stored PDF missing"
ALTERED = "stored PDF does not match its SHA-256"


class DamagedOriginal(Exception):
    """The receipt's stored original is missing, or no longer matches its SHA-256."""


def stored_pdf(receipt):
    """The stored original's bytes (rendered and stored first if the receipt has none yet).
    Raises DamagedOriginal when the file the row names is missing or altered: it is left as it
    is, for whoever looks into it."""
    ensure_pdf(receipt)
    try:
        with private_storage().open(receipt.pdf.name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DamagedOriginal(MISSING) from None
    if hashlib.sha256(data).hexdigest() != receipt.pdf_sha256:
        raise DamagedOriginal(ALTERED)
    return data


def check_original(receipt):
    """Why the stored original of `receipt` (which names one) is damaged, or "" if it is not;
    read in chunks, for `check_receipts` over thousands of files."""
    digest = hashlib.sha256()
    try:
        with private_storage().open(receipt.pdf.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return MISSING
    if digest.hexdigest() != receipt.pdf_sha256:
        return ALTERED
    return ""
