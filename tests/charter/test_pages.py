"""The public pages: home, the current charter and older versions, the language switch."""

import datetime

import pytest
from django.utils import translation

from charter.models import Charter, Principle
from tests import clock

pytestmark = pytest.mark.django_db


def test_home_presents_the_collective_and_links_to_the_main_pages(client, cac):
    response = client.get("/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Collectif des Associations Citoyennes" in text
    assert "né en 2010" in text
    assert 'href="/charte/"' in text
    assert 'href="/adhesion/"' in text
    assert 'href="/annuaire/"' in text
    assert 'href="/accounts/login/"' in text


def test_charter_page_shows_the_ten_principles(client, cac):
    text = client.get("/charte/").content.decode()
    for heading in ("Respecter", "Assurer", "Promouvoir", "Considérer", "Concevoir",
                    "Répondre", "Permettre", "Maintenir", "Chercher", "Préserver"):  # fmt: skip
        assert f"<strong>{heading}</strong>" in text
    assert "Cette Charte constitue le ciment" in text
    assert "Les associations citoyennes travaillent" in text


def test_a_newer_charter_becomes_current_and_the_older_stays_readable(client, cac):
    newer = Charter.objects.create(
        version=2,
        title="Charte révisée",
        preamble="Nouvelle introduction",
        effective_on=clock.in_last_year(6, 1),
    )
    Principle.objects.create(
        charter=newer, position=1, heading="Coopérer", text="entre toutes et tous."
    )
    current = client.get("/charte/").content.decode()
    assert "Charte révisée" in current
    assert "Coopérer" in current
    assert 'href="/charte/v1/"' in current

    older = client.get("/charte/v1/").content.decode()
    assert "Respecter" in older
    assert "n'est plus en vigueur" in older
    assert 'href="/charte/"' in older


def test_a_charter_not_yet_in_force_is_not_shown(client, cac):
    Charter.objects.create(
        version=3, title="Projet", preamble="…", effective_on=datetime.date(2100, 1, 1)
    )
    assert "Projet" not in client.get("/charte/").content.decode()
    assert client.get("/charte/v3/").status_code == 404
    assert client.get("/charte/v99/").status_code == 404


def test_no_charter_yet_is_a_404_not_an_error(client, db):
    assert client.get("/charte/").status_code == 404
    assert client.get("/").status_code == 200


def test_privacy_notice_page(client, cac):
    text = client.get("/confidentialite/").content.decode()
    assert "Vos droits" in text


def test_language_switch_turns_the_interface_to_english_and_back(client, cac):
    assert "La charte" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/charte/"})
    assert response.status_code == 302
    assert response["Location"] == "/charte/"
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "The charter" in english
    assert "Join / support" in english
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "La charte" in client.get("/").content.decode()
    translation.activate("fr")


def test_error_pages_speak_french_in_the_portal_layout(client, cac, member_user):
    missing = client.get("/nulle-part/")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.content.decode()
    assert "Collectif des Associations Citoyennes" in missing.content.decode()
    client.force_login(member_user)
    denied = client.get("/gestion/")
    assert denied.status_code == 403
    assert "Accès refusé" in denied.content.decode()
