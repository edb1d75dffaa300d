"""The PDF says everything the law asks of a receipt, read back with pypdf, and never changes."""

import base64
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from pypdf import PdfReader

from receipts.services import ensure_pdf, issue_annual_receipt, issue_organisation_receipt
from receipts.services.rendering import CANCELLED, DUPLICATE, render_pdf, stored_pdf
from tests.helpers import LAST_YEAR, pay, pdf_text

pytestmark = pytest.mark.django_db

# A 1×1 black PNG: enough for WeasyPrint to embed an image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgAB4iG8MwAAAABJRU5ErkJggg=="
)

BENEFICIARY_MENTIONS = [
    "Collectif des Associations Citoyennes (CAC)",
    "108 rue St-Maur",
    "75011 Paris",
    "RNA W751234567",
    "Objet : Mener des recherches",
    "Qualité : Association loi 1901",
    "Fait à Paris, le",
    "Jean-Claude Boual, Président",
]


@pytest.fixture
def signed(cac):
    cac.signature.save("signature.png", ContentFile(PNG))
    return cac


def test_annual_receipt_has_every_mention_of_cerfa_11580(signed, donor):
    pay(donor, "21", method="cheque")
    pay(donor, "99.50", method="transfer", on=None)
    receipt, created = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    assert created
    data = stored_pdf(receipt)
    text = pdf_text(data)
    for mention in [
        "CERFA n° 11580*05",
        "Article 200 du code général des impôts",
        f"Numéro d'ordre du reçu : {receipt.number}",
        *BENEFICIARY_MENTIONS,
        "Lucie Aubrac",
        "5 rue des Écoles, 13001 Marseille",
        "120,50 €",
        "cent vingt euros et cinquante centimes",
        f"15 juin {LAST_YEAR} chèque 21,00 €",
        f"15 juin {LAST_YEAR} virement 99,50 €",
        "don manuel",
        "numéraire",
        "certifie sur l'honneur",
        "réduction d'impôt prévue à l'article 200",
        "66 %",
    ]:
        assert mention in text, mention
    assert receipt.number.startswith(f"{receipt.issued_on.year}-")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert len(page.images) == 1, "the signature image is on the receipt"
    # A4 in points
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_company_receipt_has_the_mentions_of_cerfa_16216(cac, company):
    receipt = issue_organisation_receipt(pay(company, "1000000").pk, actor=None)
    assert receipt.is_fiscal
    text = pdf_text(stored_pdf(receipt))
    for mention in [
        "CERFA n° 16216",
        "Article 238 bis du code général des impôts",
        receipt.number,
        *BENEFICIARY_MENTIONS,
        "Coopérative Solidaire",
        "SIREN : 552100554",
        "Forme juridique : SCIC SA",
        "3 place de la République, 69001 Lyon",
        "1 000 000,00 €",
        "un million d'euros",
        "don manuel",
        "numéraire",
        "certifie sur l'honneur",
        "60 %",
    ]:
        assert mention in text, mention


def test_association_gets_a_paid_receipt_not_a_fiscal_one(cac, organisation):
    receipt = issue_organisation_receipt(pay(organisation, "80").pk, actor=None)
    assert not receipt.is_fiscal
    text = pdf_text(stored_pdf(receipt))
    assert "Reçu acquitté" in text
    assert "quatre-vingts euros" in text
    assert "Les Amis du Canal (LAC)" in text
    assert "n'est pas un reçu fiscal" in text
    assert "238 bis" not in text and "article 200" not in text


def test_stored_privately_under_a_random_name_with_its_sha256(cac, donor):
    pay(donor, "50")
    receipt, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    ensure_pdf(receipt)
    storage = storages["private"]
    assert storage.exists(receipt.pdf.name)
    assert receipt.number not in receipt.pdf.name and "Aubrac" not in receipt.pdf.name
    with storage.open(receipt.pdf.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == receipt.pdf_sha256
    assert not [p for p in storage.listdir(f"receipts/{LAST_YEAR}")[1] if p.endswith(".tmp")]


def test_rendered_only_from_its_own_rows(cac, donor):
    """Later edits of the member or the collective do not change an issued receipt."""
    pay(donor, "50")
    receipt, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    before = pdf_text(render_pdf(receipt))
    donor.last_name, donor.street = "Autrenom", "1 autre rue"
    donor.save()
    cac.name, cac.signatory_name = "Autre collectif", "Quelqu'un d'autre"
    cac.save()
    receipt.refresh_from_db()
    assert pdf_text(render_pdf(receipt)) == before


def test_duplicate_and_cancelled_copies_keep_the_number(cac, donor):
    pay(donor, "50")
    receipt, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    original = stored_pdf(receipt)
    duplicate = pdf_text(render_pdf(receipt, mark=DUPLICATE))
    assert "DUPLICATA" in duplicate and receipt.number in duplicate
    assert "DUPLICATA" not in pdf_text(original)
    assert "ANNULÉ" in pdf_text(render_pdf(receipt, mark=CANCELLED))
    assert stored_pdf(receipt) == original


def test_missing_file_is_rendered_again(cac, donor):
    pay(donor, Decimal("50"))
    receipt, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    ensure_pdf(receipt)
    text = pdf_text(stored_pdf(receipt))
    storages["private"].delete(receipt.pdf.name)
    assert pdf_text(stored_pdf(receipt)) == text
