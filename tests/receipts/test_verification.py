"""Anyone holding a fiscal receipt can check it at /verifier/<token>/: its number, date, amount
and year, and whether it still stands, without a word about the donor."""

import pytest

from receipts.models import Receipt
from receipts.services import cancel_receipt, issue_annual_receipt, issue_organisation_receipt
from tests.helpers import LAST_YEAR, pay, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(cac, donor):
    pay(donor, "120.50")
    return issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)[0]


def verify(client, receipt):
    return client.get(f"/verifier/{receipt.verification_token}/")


def assert_no_personal_data(page, receipt):
    for personal in [
        receipt.donor_name,
        "Aubrac",
        receipt.donor_email,
        "rue des Écoles",
        "Marseille",
        receipt.member.reference,
    ]:
        assert personal not in page, personal


def test_a_valid_receipt_is_confirmed_without_personal_data(client, receipt):
    response = verify(client, receipt)
    assert response.status_code == 200
    page = text(response).replace("\u00a0", " ")
    for shown in [
        receipt.number,
        receipt.issued_on.strftime("%d/%m/%Y"),
        "120,50 €",
        f"dons reçus en {LAST_YEAR}",
        "valide",
        "Collectif des Associations Citoyennes",
    ]:
        assert shown in page, shown
    assert_no_personal_data(page, receipt)
    assert response["Cache-Control"].startswith("no-cache")


def test_a_cancelled_receipt_says_so(client, receipt):
    cancel_receipt(receipt, reason="Don remboursé", reissue=False, actor=None)
    page = text(verify(client, receipt))
    assert "annulé" in page and "valide" not in page.replace("invalide", "")
    assert "Don remboursé" not in page, "the reason may name the donor: not shown"
    assert_no_personal_data(page, receipt)


def test_a_replaced_receipt_names_and_links_its_replacement(client, receipt):
    new = cancel_receipt(receipt, reason="Adresse corrigée", actor=None)
    page = text(verify(client, receipt))
    assert f"remplacé par le reçu n° {new.number}" in page
    assert f'href="/verifier/{new.verification_token}/"' in page
    new_page = text(verify(client, new))
    assert "valide" in new_page and f"remplace le reçu n° {receipt.number}" in new_page


def test_an_unknown_token_gets_the_french_404(client, receipt):
    response = client.get("/verifier/pas-un-vrai-jeton/")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    assert client.get(f"/verifier/{receipt.number}/").status_code == 404
    assert client.get(f"/verifier/{receipt.code}/").status_code == 404


def test_a_plain_receipt_is_not_a_fiscal_document_to_verify(client, organisation):
    plain = issue_organisation_receipt(pay(organisation, "80").pk, actor=None)
    assert client.get(f"/verifier/{plain.verification_token}/").status_code == 404


def test_every_receipt_has_its_own_token(cac, donor, organisation):
    pay(donor, "10")
    issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)
    issue_organisation_receipt(pay(organisation, "80").pk, actor=None)
    tokens = list(Receipt.objects.values_list("verification_token", flat=True))
    assert len(set(tokens)) == len(tokens) == 2 and all(len(t) >= 22 for t in tokens)
