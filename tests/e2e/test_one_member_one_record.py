"""One member, one record, in a real browser: a correspondent invited by email logs in and
downloads the organisation's receipt; the same paper form typed twice meets its first entry."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from charter.models import Charter, PrivacyNotice
from charter.services import accept_charter, accept_privacy_notice
from dues.models import Payment
from dues.services import record_payment
from members.models import Access, Member
from tests.factories import OrganisationFactory
from tests.helpers import log_in_browser, pdf_text

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe très long 42"


def account(django_user_model, email):
    user = django_user_model.objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def test_an_invited_correspondent_logs_in_and_downloads_the_receipt(
    page, live_server, cac, django_user_model
):
    owner = account(django_user_model, "presidente@example.org")
    account(django_user_model, "tresorier@example.org")
    organisation = OrganisationFactory(name="Les Amis du Quartier", acronym="ADQ")
    Access.objects.create(member=organisation, user=owner, role=Access.Role.OWNER)
    accept_charter(organisation, Charter.objects.current(), actor=None)
    accept_privacy_notice(organisation, PrivacyNotice.objects.current(), actor=None)
    record_payment(
        member=organisation,
        amount="100",
        method="cheque",
        received_on=timezone.localdate(),
        year=timezone.localdate().year,
        cheque_number="5550001",
        bank="La Banque Postale",
        actor=None,
    )
    receipt = organisation.receipts.get()

    # The owner invites the treasurer from the member space.
    log_in_browser(page, live_server, owner)
    page.goto("/compte/")
    page.get_by_label("E-mail de la personne à inviter").fill("tresorier@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation envoyée")
    page.context.clear_cookies()

    # The treasurer follows the emailed link, logs in, accepts.
    (message,) = [m for m in mail.outbox if m.to == ["tresorier@example.org"]]
    link = re.search(re.escape(settings.SITE_URL) + r"(/compte/invitation/\S+/)", message.body)
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation à un espace membre")
    page.get_by_role("main").get_by_role("link", name="Se connecter").click()
    page.get_by_label("Courriel").fill("tresorier@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("button", name="Accepter avec mon compte tresorier@example.org").click()
    page.wait_for_url("**/compte/")
    expect(page.get_by_role("status")).to_contain_text("Les Amis du Quartier")

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Télécharger le reçu {receipt.number} (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        text = pdf_text(handle.read())
    assert receipt.number in text and "Les Amis du Quartier" in text


def fill_paper_form(page, cheque_number):
    page.goto("/gestion/formulaire-papier/")
    page.get_by_label("à titre individuel").check()
    person = page.get_by_role("group", name="Personne physique")
    person.locator("#id_ind-last_name").fill("Aubrac")
    person.get_by_label("Prénom").fill("Lucie")
    person.get_by_label("Adresse").fill("12 rue des Lilas")
    person.get_by_label("Code postal").fill("75020")
    person.get_by_label("Ville").fill("Paris")
    page.get_by_label("Montant (€)").fill("50")
    page.get_by_label("Date de signature du formulaire").fill(timezone.localdate().isoformat())
    page.get_by_label("je souscris à la charte").check()
    page.get_by_label("N° de chèque").fill(cheque_number)
    page.get_by_label("Banque").fill("Crédit Mutuel")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le formulaire et le règlement").click()


def test_the_same_paper_form_twice_shows_the_duplicate_warning(page, live_server, staff_user):
    log_in_browser(page, live_server, staff_user)
    fill_paper_form(page, "5550001")
    expect(page.get_by_role("status")).to_contain_text("nouveau membre")
    first = Member.objects.get()

    fill_paper_form(page, "5550002")
    warning = page.get_by_role("alert").filter(has_text="Doublons probables")
    expect(warning).to_contain_text(first.reference)
    expect(warning).to_contain_text("même nom, prénom et code postal")
    assert page.get_by_label("N° de chèque").input_value() == "5550002"
    assert Member.objects.count() == 1

    with page.expect_navigation():
        warning.get_by_role("button", name="Utiliser ce membre").click()
    expect(page.get_by_role("status")).to_contain_text("membre déjà connu")
    assert Member.objects.count() == 1
    assert list(Payment.objects.order_by("pk").values_list("member", "cheque_number")) == [
        (first.pk, "5550001"),
        (first.pk, "5550002"),
    ]
