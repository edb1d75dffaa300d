"""A member, in a real browser: logs in, downloads their data, closes their account, and can
no longer log in."""

import json
import zipfile

import pytest
from allauth.account.models import EmailAddress

from charter.models import Charter, PrivacyNotice
from charter.services import accept_charter, accept_privacy_notice
from members.models import Member
from tests import clock
from tests.factories import IndividualFactory, PaymentFactory

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe très long 42"


def log_in(page):
    page.goto("/accounts/login/")
    page.get_by_label("Courriel").fill("lea@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def test_download_my_data_close_my_account_and_fail_to_log_in(page, cac, django_user_model):
    user = django_user_model.objects.create_user(
        username="lea@example.org", email="lea@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    member = IndividualFactory(user=user, email=user.email, first_name="Léa", last_name="Durand")
    accept_charter(member, Charter.objects.current(), actor=None)
    accept_privacy_notice(member, PrivacyNotice.objects.current(), actor=None)
    PaymentFactory(member=member, amount="50.00", received_on=clock.in_last_year(2, 3))

    log_in(page)
    page.wait_for_url("**/compte/")
    page.get_by_role("link", name="Télécharger mes données (JSON et reçus, ZIP)").click()
    page.wait_for_url("**/compte/donnees/")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger mes données (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename == f"donnees-{member.reference}.zip"
    archive = zipfile.ZipFile(download.path())
    data = json.loads(archive.read("donnees.json"))
    assert data["membre"]["last_name"] == "Durand"
    assert data["paiements"][0]["amount"] == "50.00"

    page.goto("/compte/")
    page.get_by_role("link", name="Fermer mon compte").click()
    page.wait_for_url("**/compte/fermer/")
    assert page.get_by_role("heading", name="Ce que la loi nous oblige à garder").is_visible()
    page.get_by_label("Votre mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Fermer définitivement mon compte").click()
    assert page.get_by_text("Ce mot de passe n'est pas le bon.").is_visible()
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Fermer définitivement mon compte").click()
    assert page.get_by_role("heading", name="Compte fermé").is_visible()
    assert Member.objects.get(pk=member.pk).erased_at is not None

    log_in(page)
    assert page.url.endswith("/accounts/login/")
    assert page.get_by_text("L’adresse e-mail ou le mot de passe sont incorrects.").is_visible()
    page.goto("/compte/")
    assert "/accounts/login/" in page.url
