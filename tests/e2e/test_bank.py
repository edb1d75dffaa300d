"""The bank's statement in a real browser: staff import ten credits, confirm the six sure
matches at once, match three by hand with the keyboard alone, and dismiss the last one."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dues.models import BankLine, Payment
from dues.references import creditor_reference
from tests.factories import IndividualFactory, OrganisationFactory, PledgeFactory
from tests.helpers import camt053, log_in_browser

pytestmark = pytest.mark.browser


def day(n):
    return datetime.date(2026, 3, n)


def pledged(member, amount):
    return PledgeFactory(member=member, year=2026, amount=Decimal(amount))


def test_staff_reconcile_a_statement_of_ten_lines(page, live_server, staff_user, tmp_path):
    sure = [IndividualFactory(last_name=f"Sûr{i}", first_name="Membre") for i in range(6)]
    pledges = [pledged(member, "50") for member in sure]
    lefevre = IndividualFactory(first_name="Bernard", last_name="Lefèvre")
    pledged(lefevre, "30")
    benali = IndividualFactory(first_name="Nadia", last_name="Benali")
    pledged(benali, "40")
    jardins = OrganisationFactory(name="Jardins partagés du 20e", acronym="JP20")
    pledged(jardins, "120")
    entries = [
        # Four RF references (one typed in lower case with spaces), two member references.
        {"day": day(2), "amount": "50.00", "name": "X", "rf": creditor_reference(pledges[0])},
        {"day": day(2), "amount": "50.00", "name": "X", "rf": creditor_reference(pledges[1])},
        {"day": day(3), "amount": "50.00", "label": creditor_reference(pledges[2]).lower()},
        {"day": day(3), "amount": "50.00", "rf": creditor_reference(pledges[3])},
        {"day": day(4), "amount": "50.00", "label": f"ADHESION {sure[4].reference}"},
        {"day": day(4), "amount": "50.00", "label": f"cotis {sure[5].reference.lower()}"},
        # The name and amount of a pledge: probable, confirmed with Enter.
        {"day": day(10), "amount": "30.00", "name": "M BERNARD LEFEVRE", "label": "VIR"},
        # Nothing to go by: staff know who it is.
        {"day": day(11), "amount": "45.00", "name": "MME N. BENALI", "label": "DON"},
        {"day": day(12), "amount": "100.00", "name": "VIREMENT ASSO", "label": "COTIS"},
        # Not a member's money.
        {"day": day(13), "amount": "2000.00", "name": "REGION IDF", "label": "SUBVENTION"},
    ]
    for index, entry in enumerate(entries):
        entry["ref"] = f"E2E{index}"
    statement = tmp_path / "releve-mars.xml"
    statement.write_bytes(camt053(entries))

    log_in_browser(page, live_server, staff_user)
    page.goto("/gestion/banque/")
    page.get_by_label("Relevé bancaire").set_input_files(statement)
    with page.expect_navigation():
        page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("status")).to_contain_text("10 crédits lus, 10 nouveaux")

    with page.expect_navigation():
        page.get_by_role("button", name="Valider les 6 correspondances sûres").click()
    expect(page.get_by_role("status")).to_contain_text("6 virements enregistrés.")
    assert sorted(p.member_id for p in Payment.objects.all()) == sorted(m.pk for m in sure)

    with page.expect_navigation():
        page.get_by_role("link", name="4 lignes à vérifier").click()
    lines = page.locator("[data-bank-line]")
    expect(lines).to_have_count(4)
    expect(lines.first).to_be_focused()
    expect(lines.first).to_contain_text("Bernard Lefèvre")

    # Enter confirms the first suggestion; the next line has the focus.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(lines).to_have_count(3)
    expect(lines.first).to_be_focused()

    # M searches another member: type, ↓, Enter picks, Enter confirms.
    for search in ("Benali", "Jardins"):
        page.keyboard.press("m")
        page.keyboard.type(search)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Valider pour ce membre").first).to_be_focused()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(lines.first).to_be_focused()

    # X goes to the reason; Enter dismisses.
    expect(lines).to_have_count(1)
    page.keyboard.press("x")
    page.keyboard.type("Subvention de la Région")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Aucune ligne à vérifier.")).to_be_visible()

    by_line = {p.bank_line.bank_reference: p.member for p in Payment.objects.all()}
    assert (by_line["E2E6"], by_line["E2E7"], by_line["E2E8"]) == (lefevre, benali, jardins)
    assert Payment.objects.count() == 9
    subsidy = BankLine.objects.get(bank_reference="E2E9")
    assert (subsidy.status, subsidy.dismissed_reason) == ("dismissed", "Subvention de la Région")
