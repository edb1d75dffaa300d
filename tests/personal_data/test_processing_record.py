"""The record of processing activities (GDPR art. 30): a page and a PDF for the administrator,
made from the retention settings, so that changing a period changes the record."""

import pytest

from tests.helpers import pdf_text, text

pytestmark = pytest.mark.django_db

PAGE = "/administration/registre-des-traitements/"
PDF = "/administration/registre-des-traitements.pdf"
HEADINGS = [
    "Adhésions et soutiens",
    "Paiements et comptabilité",
    "Reçus et reçus fiscaux",
    "Annuaire public des structures membres",
    "Journal des consultations et modifications",
]


def test_the_administrator_reads_each_processing_with_its_retention(client, superuser):
    client.force_login(superuser)
    assert f'href="{PAGE}"' in text(client.get("/"))
    page = text(client.get(PAGE))
    for heading in HEADINGS:
        assert heading in page
    for label in ("Finalité", "Base légale", "Catégories de données", "Personnes concernées"):
        assert page.count(label) == len(HEADINGS)
    assert "Collectif des Associations Citoyennes" in page
    assert "3 ans après son dernier paiement" in page
    assert "30 jours avant" in page
    assert "6 ans après la fin de l'année d'émission" in page
    assert "10 ans après la fin de l'année du paiement" in page


def test_the_pdf_says_the_same(client, superuser):
    client.force_login(superuser)
    response = client.get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pdf_text(response.content)
    for heading in HEADINGS:
        assert heading in pdf
    assert "6 ans après la fin de l'année d'émission" in pdf


def test_the_record_follows_the_settings_the_retention_applies(client, superuser, settings):
    settings.RETENTION_RECEIPT_YEARS = 7
    settings.RETENTION_CONTACT_YEARS = 2
    client.force_login(superuser)
    page = text(client.get(PAGE))
    assert "7 ans après la fin de l'année d'émission" in page
    assert "2 ans après son dernier paiement" in page


@pytest.mark.parametrize("who", ["member_user", "staff_user", "treasurer_user"])
def test_only_the_administrator_reads_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 403
    assert client.get(PDF).status_code == 403


def test_strangers_log_in_first(client, cac):
    assert client.get(PAGE).status_code == 302
