"""The treasurer's dashboard and the import of existing members, in a real browser (under the
Content-Security-Policy: the `page` fixture fails on any refusal)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dues.models import Payment
from members.models import Member
from receipts.models import Receipt
from tests.factories import IndividualFactory, OrganisationFactory, PaymentFactory
from tests.helpers import LAST_YEAR, log_in_browser

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parent.parent / "data"


def test_the_treasurer_sees_the_charts_and_their_tables(page, live_server, treasurer_user):
    for month, amount in ((1, "50"), (3, "120"), (3, "30")):
        PaymentFactory(
            member=IndividualFactory(),
            year=LAST_YEAR,
            amount=Decimal(amount),
            received_on=datetime.date(LAST_YEAR, month, 10),
        )
    PaymentFactory(
        member=OrganisationFactory(),
        year=LAST_YEAR,
        amount=Decimal("500"),
        received_on=datetime.date(LAST_YEAR, 6, 1),
    )
    log_in_browser(page, live_server, treasurer_user)
    page.goto(f"/tresorerie/tableau-de-bord/?annee={LAST_YEAR}")

    chart = page.get_by_role("img", name=f"Montants reçus par mois en {LAST_YEAR}")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 150, "drawn, at a readable size"
    # Styled by the static stylesheet: the bars of the first series have its colour.
    fill = page.locator("svg .series.color-0 rect").first.evaluate(
        "element => getComputedStyle(element).fill"
    )
    assert fill == "rgb(11, 93, 122)"
    table = page.locator("table", has=page.locator("caption", has_text="Montants reçus par mois"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Mars")).to_contain_text("150,00")
    expect(table.locator("tfoot")).to_contain_text("700,00")
    expect(page.get_by_role("img", name="Montants reçus par année")).to_be_visible()
    expect(page.get_by_role("img", name="Membres à jour par année de cotisation")).to_be_visible()


def test_staff_import_a_file_of_twenty_lines_two_of_them_wrong(page, live_server, staff_user):
    log_in_browser(page, live_server, staff_user)
    page.goto("/gestion/import/")
    page.get_by_label("Fichier des membres (CSV ou XLSX)").set_input_files(
        DATA / "membres_20_lignes.csv"
    )
    page.get_by_role("button", name="Voir l'aperçu").click()

    expect(page.locator("#import-counts")).to_contain_text("18 fiches à créer")
    expect(page.locator("#import-counts")).to_contain_text("2 lignes en erreur")
    problems = page.locator("section", has=page.get_by_role("heading", name="Lignes en erreur"))
    expect(problems.get_by_role("row", name="Girard")).to_contain_text(
        "E-mail : Saisissez une adresse e-mail valide."
    )
    expect(problems.get_by_role("row", name="Fontaine")).to_contain_text(
        "Code postal : Saisissez un code postal français valide"
    )
    expect(page.get_by_label("Courriel")).to_have_value("email")
    assert not Member.objects.exists()

    page.get_by_role("button", name="Importer les 18 lignes valides").click()
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible()
    expect(page.locator("#import-counts")).to_contain_text("18 fiches créées")
    expect(page.locator("#import-counts")).to_contain_text("3 paiements repris")
    assert Member.objects.count() == 18
    assert not Member.objects.filter(last_name__in=["Girard", "Fontaine"]).exists()
    assert Payment.objects.filter(is_imported=True).count() == 3
    assert not Receipt.objects.exists()
