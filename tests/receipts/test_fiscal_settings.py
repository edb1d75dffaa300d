"""The treasurer fills in the collective's fiscal identity on /tresorerie/, and nothing fiscal is
issued while something the law asks for is missing: the page says what, and where to fix it."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from charter.models import Collective
from members.models import AuditEntry
from receipts.models import AnnualBatch, Receipt
from receipts.services import ReceiptError, issue_annual_receipts, issue_organisation_receipt
from receipts.services.readiness import fiscal_missing
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, image_bytes, pay, text

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/tresorerie/parametres-fiscaux/"


def filled(**overrides):
    data = {
        "rna": "W751234567",
        "siren": "",
        "legal_quality": "oig_association",
        "quality_decree_on": "",
        "quality_published_on": "",
        "quality_order_on": "",
        "quality_approved_on": "",
        "quality_other": "",
        "article_200": "on",
        "article_238_bis": "on",
        "rescrit_reference": "",
        "rescrit_on": "",
        "object": "Mener des recherches sur le mouvement associatif.",
        "signatory_name": "Jean-Claude Boual",
        "signatory_title": "Président",
        "signature_place": "Paris",
    }
    data.update(overrides)
    return data


def upload(data, name="signature.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def fresh(cac):
    """As a fresh install loads it: the CAC's defaults cannot know its RNA nor its signature."""
    cac.rna, cac.signature = "", ""
    cac.save()
    return cac


def test_a_fresh_install_lists_what_is_missing_with_a_link_to_fix_each(
    client, fresh, treasurer_user
):
    pay(IndividualFactory(), "40")
    client.force_login(treasurer_user)
    page = text(client.get("/tresorerie/"))
    checklist = page[page.index('id="readiness"') :]
    assert "numéro RNA ou SIREN" in checklist
    assert "signature" in checklist
    assert f'href="{SETTINGS_URL}#id_rna"' in checklist
    assert f'href="{SETTINGS_URL}#id_signature"' in checklist
    button = re.search(r"<button[^>]*>\s*Lancer le lot", page)
    assert button and "disabled" in button.group(0)

    response = client.post("/tresorerie/lot/", {"fiscal_year": LAST_YEAR}, follow=True)
    assert "numéro RNA ou SIREN" in text(response)
    assert "lancé" not in text(response).split("Le lot de cette année")[0]
    assert not AnnualBatch.objects.exists() and not Receipt.objects.exists()


def test_the_service_refuses_up_front_with_the_same_list(fresh):
    pay(IndividualFactory(), "40")
    with pytest.raises(ValidationError) as refusal:
        issue_annual_receipts(LAST_YEAR, actor=None)
    messages = " ".join(refusal.value.messages)
    assert [m.message for m in fiscal_missing(fresh, article="200")] == refusal.value.messages
    assert "numéro RNA ou SIREN" in messages and "signature" in messages
    assert not AnnualBatch.objects.exists() and not Receipt.objects.exists()


def test_the_command_says_what_is_missing(fresh):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="RNA ou SIREN"):
        call_command("issue_annual_receipts", str(LAST_YEAR), "--no-wait", stdout=io.StringIO())


def test_no_signature_image_is_refused_like_a_missing_rna(cac, company):
    cac.signature = ""
    cac.save()
    with pytest.raises(ReceiptError, match="signature"):
        issue_organisation_receipt(pay(company, "50").pk, actor=None)
    assert not Receipt.objects.exists()


def test_a_plain_receipt_for_an_association_needs_none_of_it(fresh, organisation):
    receipt = issue_organisation_receipt(pay(organisation, "50").pk, actor=None)
    assert receipt is not None and not receipt.is_fiscal


def test_the_treasurer_fills_the_fiscal_identity_and_the_checklist_empties(
    client, fresh, treasurer_user
):
    client.force_login(treasurer_user)
    page = text(client.get(SETTINGS_URL))
    for wording in [
        "Association loi 1901",
        "Œuvre ou organisme d'intérêt général",
        "Fondation d'entreprise",
        "Musée de France",
        "Fonds de dotation",
        "Association ou fondation reconnue d'utilité publique par décret en date du",
    ]:
        assert wording in page, wording
    data = filled(signature=upload(image_bytes("PNG")))
    response = client.post(SETTINGS_URL, data)
    assert response.status_code == 302, text(response)
    fresh.refresh_from_db()
    assert fresh.rna == "W751234567" and fresh.legal_quality == "oig_association"
    assert fresh.signature.name.endswith(".png")
    entry = AuditEntry.objects.get(action="collective.fiscal_changed")
    assert entry.actor == treasurer_user
    assert entry.after["rna"] == "W751234567" and entry.before["rna"] == ""
    assert fiscal_missing(fresh, article="200") == []
    assert fiscal_missing(fresh, article="238 bis") == []
    page = text(client.get("/tresorerie/"))
    assert 'id="readiness"' not in page


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("rna", "W75-12", "W suivi de 9 chiffres"),
        ("siren", "000000000", "n'existe pas"),
        ("siren", "12345", "9 chiffres"),
    ],
)
def test_a_wrong_number_is_refused_next_to_its_field_and_kept(
    client, fresh, treasurer_user, field, typed, message
):
    client.force_login(treasurer_user)
    response = client.post(
        SETTINGS_URL, filled(**{field: typed, "rna": typed if field == "rna" else ""})
    )
    assert response.status_code == 200
    page = text(response)
    field_block = page[page.index(f'id="id_{field}"') - 400 :][:1500]
    assert message in field_block
    assert f'value="{typed}"' in page, "what was typed is kept"
    fresh.refresh_from_db()
    assert fresh.rna == "" and fresh.siren == ""
    assert not AuditEntry.objects.filter(action="collective.fiscal_changed").exists()


def test_a_recognised_public_utility_needs_its_dates(client, fresh, treasurer_user):
    client.force_login(treasurer_user)
    response = client.post(SETTINGS_URL, filled(legal_quality="oig_rup"))
    assert response.status_code == 200
    assert "date du décret" in text(response)
    response = client.post(
        SETTINGS_URL,
        filled(
            legal_quality="oig_rup",
            quality_decree_on="1998-03-12",
            quality_published_on="1998-03-20",
        ),
    )
    assert response.status_code == 302
    assert Collective.load().quality_decree_on.isoformat() == "1998-03-12"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not an image at all", "signature.png", "PNG ou JPEG"),
        ("GIF", "signature.gif", "PNG ou JPEG"),
        ("BIG", "signature.png", "1 Mo"),
        ("WIDE", "signature.png", "pixels"),
    ],
)
def test_a_wrong_signature_file_is_refused_next_to_the_field(
    client, fresh, treasurer_user, content, name, message
):
    data = {
        "GIF": lambda: image_bytes("GIF"),
        "BIG": lambda: image_bytes("PNG", size=(1800, 1800), noise=True),
        "WIDE": lambda: image_bytes("PNG", size=(6000, 40)),
    }.get(content, lambda: content)()
    client.force_login(treasurer_user)
    response = client.post(SETTINGS_URL, filled(signature=upload(data, name)))
    assert response.status_code == 200
    page = text(response)
    field_block = page[page.index('id="id_signature"') - 400 :][:1500]
    assert message in field_block
    assert not Collective.load().signature


def test_the_signature_is_re_encoded(client, fresh, treasurer_user):
    client.force_login(treasurer_user)
    original = image_bytes("JPEG", size=(300, 90))
    client.post(SETTINGS_URL, filled(signature=upload(original, "scan.jpg", "image/jpeg")))
    stored = Collective.load().signature.name
    with default_storage.open(stored, "rb") as handle:
        data = handle.read()
    assert data != original
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert Image.open(io.BytesIO(data)).size == (300, 90)
