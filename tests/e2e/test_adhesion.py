"""A person and an organisation fill /adhesion/ in a real browser, see the suggested amounts and
read the confirmation; the form also works with JavaScript turned off."""

import pytest

from dues.campaign import current_year
from dues.models import Pledge
from members.models import Member

pytestmark = pytest.mark.browser


def _fill_address(section, *, email, street, postal_code, city):
    section.get_by_label("E-mail", exact=True).fill(email)
    section.get_by_label("Adresse", exact=True).fill(street)
    section.get_by_label("Code postal", exact=True).fill(postal_code)
    section.get_by_label("Ville", exact=True).fill(city)


def _accept_and_send(page):
    page.get_by_label("Je souscris à la charte de principes").check()
    page.get_by_label("J'ai lu la politique de confidentialité").check()
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url("**/adhesion/merci/")


def test_an_individual_adheres_and_reads_the_confirmation(page, cac):
    year = current_year()
    page.goto("/adhesion/")
    individual = page.locator("#section-individual").get_by_role("group", name="Vos coordonnées")
    contribution = page.locator("#section-individual").get_by_role(
        "group", name="Votre contribution"
    )
    assert page.locator("#section-organisation").is_hidden()
    page.get_by_role("radio", name="Adhésion", exact=True).check()
    individual.get_by_label("Nom", exact=True).fill("Durand")
    individual.get_by_label("Prénom").fill("Léa")
    individual.get_by_label("Association / activité(s)").fill("Maison de quartier")
    individual.get_by_label("Mobile").fill("06 12 34 56 78")
    _fill_address(
        individual,
        email="lea.durand@example.org",
        street="5 rue Oberkampf",
        postal_code="75011",
        city="Paris",
    )
    # The net cost follows the chosen amount at once.
    contribution.get_by_label("Autre montant", exact=True).check()
    contribution.get_by_label("Autre montant (€)").fill("35")
    net_cost = page.locator("#net-cost")
    assert (
        net_cost.inner_text()
        == "Après réduction d'impôt, 35,00\u00a0€ ne vous coûte que 12\u00a0€."
    )
    contribution.get_by_label("50 € adhésion").check()
    assert (
        net_cost.inner_text()
        == "Après réduction d'impôt, 50,00\u00a0€ ne vous coûte que 17\u00a0€."
    )
    _accept_and_send(page)

    member = Member.objects.get(email="lea.durand@example.org")
    pledge = Pledge.objects.get(member=member)
    confirmation = page.locator("#confirmation").inner_text()
    # Not logged in: the pledge's own reference, never a member's (issue 11; the member's
    # reference is in the email, sent to the address typed).
    assert confirmation == (
        "Bonjour Léa Durand,\n\n"
        "Merci ! Nous avons bien enregistré votre adhésion à l'association "
        f"« Collectif des Associations Citoyennes » pour {year}.\n\n"
        "Référence de cette promesse\n"
        f"{pledge.reference}\n"
        "Montant\n"
        "50,00\u00a0€\n\n"
        "Après réduction d'impôt, 50,00\u00a0€ ne vous coûte que 17\u00a0€.\n\n"
        "Pour régler par chèque :\n\n"
        "libellez-le à l'ordre de « Collectif des Associations Citoyennes » ou « CAC » ;\n"
        f"écrivez votre référence {pledge.reference} au dos du chèque ;\n"
        "envoyez-le à :\nCAC\n108 rue St-Maur\n75011 Paris\n\n"
        f"Votre reçu fiscal annuel vous sera envoyé en janvier {year + 1}, pour l'ensemble "
        f"de vos versements de {year}.\n\n"
        "Un e-mail de confirmation a été envoyé à lea.durand@example.org."
    )
    assert member.phone_mobile == "+33612345678"
    assert Pledge.objects.get(member=member).amount == 50


def test_an_organisation_with_two_correspondents_sees_its_suggested_amount(page, cac):
    page.goto("/adhesion/")
    page.get_by_label("au nom d'une organisation").check()
    assert page.locator("#section-individual").is_hidden()
    section = page.locator("#section-organisation")
    organisation = section.get_by_role("group", name="Votre structure")
    organisation.get_by_label("Nom de votre structure").fill("Les Amis du Quartier")
    organisation.get_by_label("Sigle").fill("ADQ")
    # Enter in a box sends the form (and here shows what is missing), it does not add a row.
    organisation.get_by_label("Sigle").press("Enter")
    page.wait_for_selector("#form-errors")
    assert page.locator("#form-errors").evaluate("el => el === document.activeElement")
    assert organisation.get_by_label("Sigle").input_value() == "ADQ"
    organisation.get_by_label("Téléphone", exact=True).fill("04 78 00 00 00")
    _fill_address(
        organisation,
        email="contact@adq.example.org",
        street="1 place du Marché",
        postal_code="69001",
        city="Lyon",
    )
    budget = section.get_by_label("Budget annuel (€)")
    suggested = page.locator("#suggested-amount")
    amount = section.get_by_label("Montant de votre cotisation (€)")
    budget.fill("1 999")
    assert suggested.inner_text() == "Montant indicatif pour votre budget : 20,00\u00a0€"
    budget.fill("15 000")
    assert suggested.inner_text() == "Montant indicatif pour votre budget : 50,00\u00a0€"
    budget.fill("250 000")
    assert suggested.inner_text() == "Montant indicatif pour votre budget : 200,00\u00a0€"
    assert amount.input_value() == "200"

    first = page.locator("#correspondent-rows fieldset").nth(0)
    first.get_by_label("Nom et prénom").fill("Paul Martin")
    first.get_by_label("Fonction").fill("Président")
    first.get_by_label("E-mail").fill("paul@example.org")
    second = page.locator("#correspondent-rows fieldset").nth(1)
    second.get_by_label("Nom et prénom").fill("Inès Roy")
    second.get_by_label("Mobile").fill("06 98 76 54 32")
    page.get_by_role("button", name="Ajouter un correspondant").click()
    assert page.locator("#correspondent-rows fieldset").count() == 3
    assert page.locator("#id_corr-2-name").evaluate("el => el === document.activeElement")
    _accept_and_send(page)

    confirmation = page.locator("#confirmation").inner_text()
    member = Member.objects.get(email="contact@adq.example.org")
    assert Pledge.objects.get(member=member).reference in confirmation
    assert "Montant\n200,00\u00a0€" in confirmation
    assert "Un reçu acquitté vous sera envoyé dès réception de votre règlement." in confirmation
    assert "ne vous coûte que" not in confirmation
    assert [c.name for c in member.correspondents.all()] == ["Paul Martin", "Inès Roy"]
    assert member.correspondents.get(name="Inès Roy").phone_mobile == "+33698765432"


def test_without_javascript_the_server_suggests_and_adds_rows(page, cac, live_server):
    context = page.context.browser.new_context(
        java_script_enabled=False, locale="fr-FR", base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/adhesion/")
    assert page.locator("#section-individual").is_visible()
    assert page.locator("#section-organisation").is_visible()
    page.get_by_label("au nom d'une organisation").check()
    section = page.locator("#section-organisation")
    organisation = section.get_by_role("group", name="Votre structure")
    organisation.get_by_label("Nom de votre structure").fill("Collectif Sans Script")
    _fill_address(
        organisation,
        email="sans-script@example.org",
        street="2 rue Basse",
        postal_code="97200",
        city="Fort-de-France",
    )
    section.get_by_label("Budget annuel (€)").fill("20000")
    page.locator("#id_corr-0-name").fill("Marie Noël")
    page.get_by_role("button", name="Ajouter un correspondant").click()
    assert page.locator("#id_corr-2-name").is_visible()
    assert page.locator("#id_corr-0-name").input_value() == "Marie Noël"
    _accept_and_send(page)
    confirmation = page.locator("#confirmation").inner_text()
    assert "Montant\n100,00\u00a0€" in confirmation
    context.close()
