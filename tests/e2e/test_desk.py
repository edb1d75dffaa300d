"""The morning post in a real browser: three cheques logged with the keyboard alone."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dues.models import Payment, PaymentStatus
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import log_in_browser

pytestmark = pytest.mark.browser


def log_one_cheque(page, search, amount, number, bank):
    """The keystrokes of one envelope: search, ↓, Enter, amount, Tab, number, Tab, bank, Enter."""
    page.keyboard.type(search)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    # The pick waits for the search's answer; the next keys go to the amount once it is there.
    expect(page.locator("#id_amount")).to_be_focused()
    page.keyboard.type(amount)
    page.keyboard.press("Tab")
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    page.keyboard.type(bank)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_staff_log_three_cheques_without_the_mouse(page, live_server, staff_user):
    lucie = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    network = OrganisationFactory(name="Réseau des écoles", acronym="RDE")
    jean = IndividualFactory(first_name="Jean", last_name="Moulin")
    log_in_browser(page, live_server, staff_user)
    page.goto("/gestion/")

    search = page.get_by_role("combobox", name="Membre")
    expect(search).to_be_focused()
    log_one_cheque(page, "Aubrac", "50", "1000001", "La Banque Postale")
    expect(search).to_be_focused()
    log_one_cheque(page, "RDE", "200,50", "2000002", "Crédit Coopératif")
    log_one_cheque(page, jean.reference, "10", "3000003", "CIC")

    payments = Payment.objects.order_by("pk")
    assert [(p.member, p.amount, p.cheque_number, p.bank) for p in payments] == [
        (lucie, Decimal("50.00"), "1000001", "La Banque Postale"),
        (network, Decimal("200.50"), "2000002", "Crédit Coopératif"),
        (jean, Decimal("10.00"), "3000003", "CIC"),
    ]
    assert all(p.recorded_by == staff_user for p in payments)
    recent = page.get_by_role("region", name="Dernières saisies de la session")
    expect(recent.get_by_role("row")).to_have_count(4)  # header + three entries
    # The focus is back in the search, ready for the fourth envelope.
    expect(search).to_be_focused()


def test_the_combobox_speaks_aria_and_undo_works_from_the_keyboard(page, live_server, staff_user):
    IndividualFactory(first_name="Lucie", last_name="Aubrac")
    IndividualFactory(first_name="Luc", last_name="Aubrac-Durand")
    log_in_browser(page, live_server, staff_user)
    page.goto("/gestion/")
    search = page.get_by_role("combobox", name="Membre")
    page.keyboard.type("Aubrac")
    page.keyboard.press("ArrowDown")
    listbox = page.get_by_role("listbox", name="Membres trouvés")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(search).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option", selected=True)).to_have_count(1)
    page.keyboard.press("ArrowDown")
    second = listbox.get_by_role("option").nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    page.keyboard.press("Escape")
    expect(search).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_amount")).to_be_focused()
    page.keyboard.type("50")
    page.keyboard.press("Tab")
    page.keyboard.type("1234567")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The duplicate: the service's message is next to the form and nothing typed is lost.
    page.keyboard.type("Lucie Aubrac")
    page.keyboard.press("Enter")
    expect(page.locator("#id_amount")).to_be_focused()
    page.keyboard.type("50")
    page.keyboard.press("Tab")
    page.keyboard.type("1234567")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("déjà enregistré pour Lucie Aubrac")
    assert page.get_by_label("N° de chèque").input_value() == "1234567"
    assert Payment.objects.count() == 1

    # Undo the entry with the keyboard: focus its button, Enter.
    page.goto("/gestion/")
    page.get_by_role("button", name="Annuler la saisie de").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Payment.objects.get().status == PaymentStatus.CANCELLED


def test_a_paper_form_is_saved_with_enter(page, live_server, staff_user):
    log_in_browser(page, live_server, staff_user)
    page.goto("/gestion/formulaire-papier/")
    page.get_by_label("au nom d'une organisation").check()
    expect(page.get_by_role("group", name="Personne physique")).to_be_hidden()
    page.get_by_label("Nom de votre structure").fill("Réseau des écoles")
    page.get_by_label("Adresse").last.fill("3 place de la République")
    page.get_by_label("Code postal").last.fill("69001")
    page.get_by_label("Ville").last.fill("Lyon")
    page.get_by_label("Budget annuel").fill("15000")
    page.get_by_role("group", name="Correspondant 1").get_by_label("Nom et prénom").fill("Anne D")
    page.get_by_label("Date de signature du formulaire").fill(timezone.localdate().isoformat())
    page.get_by_label("je souscris à la charte").check()
    page.get_by_label("N° de chèque").fill("4242")
    page.get_by_label("Banque").focus()
    page.keyboard.type("CIC")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Réseau des écoles")
    payment = Payment.objects.get()
    assert (payment.member.name, payment.amount, payment.cheque_number) == (
        "Réseau des écoles",
        Decimal("50.00"),
        "4242",
    )
