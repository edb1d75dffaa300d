"""The PDF follows the official models (CERFA 11580*05 for individuals, 16216*03 for companies),
is archived as PDF/A-3b with its metadata, read back with pypdf, and never changes."""

import datetime
import hashlib
import io
from xml.etree import ElementTree

import pytest
import segno
from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone
from pypdf import PdfReader

from receipts.services import ensure_pdf, issue_annual_receipt, issue_organisation_receipt
from receipts.services.rendering import (
    CANCELLED,
    DUPLICATE,
    QR_MASK,
    receipt_html,
    render_pdf,
    stored_pdf,
)
from tests.factories import PledgeFactory
from tests.helpers import LAST_YEAR, pay, pdf_text

pytestmark = pytest.mark.django_db

TICKED, EMPTY = "☒", "☐"

BENEFICIARY_MENTIONS = [
    "Collectif des Associations Citoyennes (CAC)",
    "108 rue St-Maur",
    "75011 Paris",
    "RNA W751234567",
    "Objet : Mener des recherches",
    "Fait à Paris, le",
    "Jean-Claude Boual, Président",
]


@pytest.fixture
def summary(cac, donor):
    pay(donor, "21", method="cheque", on=datetime.date(LAST_YEAR, 3, 4))
    pay(donor, "99.50", method="transfer", on=datetime.date(LAST_YEAR, 11, 20))
    receipt, _ = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    return receipt


def test_the_individuals_summary_follows_cerfa_11580_05(summary):
    receipt = summary
    data = stored_pdf(receipt)
    text = pdf_text(data)
    for mention in [
        "Reçu des dons et versements effectués par les particuliers au titre des articles 200 "
        "et 978 du code général des impôts",
        "CERFA n° 11580*05",
        f"Numéro d'ordre du reçu : {receipt.number}",
        *BENEFICIARY_MENTIONS,
        f"{TICKED} Œuvre ou organisme d'intérêt général",
        f"{TICKED} Association loi 1901",
        f"{EMPTY} Fondation d'entreprise",
        f"{EMPTY} Musée de France",
        f"{EMPTY} Fonds de dotation",
        "Lucie Aubrac",
        "5 rue des Écoles, 13001 Marseille",
        "120,50 €",
        "cent vingt euros et cinquante centimes",
        f"4 mars {LAST_YEAR} Chèque 21,00 €",
        f"20 novembre {LAST_YEAR} Virement, prélèvement, carte bancaire 99,50 €",
        "certifie sur l'honneur",
        f"{TICKED} 200 du CGI",
        f"{EMPTY} 978 du CGI",
        f"{EMPTY} Acte authentique",
        f"{TICKED} Déclaration de don manuel",
        f"{TICKED} Numéraire",
        f"{EMPTY} Titres de sociétés cotés",
        f"{EMPTY} Remise d'espèces",
        f"{TICKED} Chèque",
        f"{TICKED} Virement, prélèvement, carte bancaire",
    ]:
        assert mention in text, mention
    assert "66 %" not in text, "the rate depends on the donor: the form does not print it"
    assert "Association loi 1901 Qualité" not in text
    assert receipt.number.startswith(f"{receipt.issued_on.year}-")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert len(page.images) == 1, "the signature image is on the receipt"
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_the_receipt_carries_its_verification_link_and_qr_code(summary):
    url = f"{settings.SITE_URL}/verifier/{summary.verification_token}/"
    assert url in pdf_text(stored_pdf(summary))
    # The QR code drawn on the receipt is the one of that very address (with the mask the
    # receipts use: any mask reads the same).
    svg = segno.make(url, error="m", mask=QR_MASK).svg_inline(omitsize=True)
    path = svg.split(' d="')[1].split('"')[0]
    assert path in receipt_html(summary)
    assert summary.number not in summary.verification_token
    assert len(summary.verification_token) >= 22


def test_the_company_receipt_follows_cerfa_16216(company):
    receipt = issue_organisation_receipt(pay(company, "1000000").pk, actor=None)
    assert receipt.is_fiscal
    text = pdf_text(stored_pdf(receipt))
    for mention in [
        "Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis "
        "du code général des impôts",
        "CERFA n° 16216*03",
        receipt.number,
        *BENEFICIARY_MENTIONS,
        f"{TICKED} Association loi 1901",
        f"{EMPTY} Fondation d'entreprise",
        "Entreprise donatrice",
        "Dénomination : Coopérative Solidaire",
        "Forme juridique : SCIC SA",
        "Numéro SIREN : 552100554",
        "3 place de la République, 69001 Lyon",
        "1 000 000,00 €",
        "un million d'euros",
        f"{TICKED} Chèque",
        f"{EMPTY} Remise d'espèces",
        f"Date ou période au cours de laquelle les dons et versements ont été effectués : "
        f"15 juin {LAST_YEAR}",
        "certifie sur l'honneur",
        "prévue à l'article 238 bis du code général des impôts",
        f"{settings.SITE_URL}/verifier/{receipt.verification_token}/",
    ]:
        assert mention in text, mention
    assert "%" not in text, "the reduction's rate depends on the company: not printed"


@pytest.mark.parametrize(
    ("purpose", "says"), [("adhesion", "sa cotisation"), ("donation", "son don")]
)
def test_an_associations_plain_receipt_says_what_it_paid_for(organisation, purpose, says):
    pledge = PledgeFactory(member=organisation, year=LAST_YEAR, purpose=purpose)
    receipt = issue_organisation_receipt(pay(organisation, "80", pledge=pledge).pk, actor=None)
    assert not receipt.is_fiscal
    text = pdf_text(stored_pdf(receipt))
    assert f"pour {says} de l'année {LAST_YEAR}" in text
    assert "solde" not in text
    assert "Reçu acquitté" in text and "quatre-vingts euros" in text
    assert "Les Amis du Canal (LAC)" in text
    assert "n'est pas un reçu fiscal" in text
    assert "238 bis" not in text and "article 200" not in text and "/verifier/" not in text

    pledge.purpose = "donation" if purpose == "adhesion" else "adhesion"
    pledge.save()
    receipt.refresh_from_db()
    assert pdf_text(render_pdf(receipt)) == text, "the purpose was copied at issue time"


def xmp(data):
    """The PDF's XMP packet: {qualified name: value} of every property, attribute or element."""
    root = ElementTree.fromstring(PdfReader(io.BytesIO(data)).xmp_metadata.stream.get_data())
    found = {}
    for element in root.iter():
        found.update(element.attrib)
        if element.text and element.text.strip():
            found.setdefault(element.tag, element.text.strip())
    return found


def fonts(reader):
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                yield descendant.get_object()


def test_archived_as_pdf_a_3b_with_its_metadata(summary):
    data = stored_pdf(summary)
    found = xmp(data)
    assert found["{http://www.aiim.org/pdfa/ns/id/}part"] == "3"
    assert found["{http://www.aiim.org/pdfa/ns/id/}conformance"] == "B"
    title = found["{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li"]
    assert summary.number in title and "11580*05" in title
    assert summary.number in found["{http://ns.adobe.com/pdf/1.3/}Keywords"]
    assert found["{http://ns.adobe.com/xap/1.0/}CreateDate"] == timezone.localtime(
        summary.issued_at
    ).isoformat(timespec="seconds")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.author == "Collectif des Associations Citoyennes"
    listed = list(fonts(reader))
    assert listed, "the receipt uses fonts"
    for font in listed:
        descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
        assert "DejaVu" in font["/BaseFont"]


def test_stored_privately_under_a_random_name_with_its_sha256(summary):
    ensure_pdf(summary)
    storage = storages["private"]
    assert storage.exists(summary.pdf.name)
    assert summary.number not in summary.pdf.name and "Aubrac" not in summary.pdf.name
    with storage.open(summary.pdf.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == summary.pdf_sha256
    assert not [p for p in storage.listdir(f"receipts/{LAST_YEAR}")[1] if p.endswith(".tmp")]


def test_rendered_only_from_its_own_rows(cac, summary, donor):
    """Later edits of the member or the collective do not change an issued receipt."""
    before = pdf_text(render_pdf(summary))
    donor.last_name, donor.street = "Autrenom", "1 autre rue"
    donor.save()
    cac.name, cac.signatory_name, cac.legal_quality = "Autre collectif", "Quelqu'un", "oig_museum"
    cac.save()
    summary.refresh_from_db()
    assert pdf_text(render_pdf(summary)) == before


def test_duplicate_and_cancelled_copies_keep_the_number(summary):
    original = stored_pdf(summary)
    duplicate = pdf_text(render_pdf(summary, mark=DUPLICATE))
    assert "DUPLICATA" in duplicate and summary.number in duplicate
    assert "DUPLICATA" not in pdf_text(original)
    assert "ANNULÉ" in pdf_text(render_pdf(summary, mark=CANCELLED))
    assert stored_pdf(summary) == original
