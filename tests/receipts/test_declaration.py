"""CGI art. 222 bis: each year, the count and total of the fiscal receipts for the gifts received
the year before. The treasurer records when they were declared; a later change shows."""

import datetime
import re

import pytest

from members.models import AuditEntry
from receipts.models import Declaration
from receipts.services import cancel_receipt, issue_annual_receipt, issue_organisation_receipt
from receipts.services.declarations import declaration_deadline
from tests import clock
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, pay, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts(cac, donor, company, organisation):
    """The gifts of LAST_YEAR, receipted this year or last: two fiscal receipts, and one that
    does not count (an association's plain receipt)."""
    pay(donor, "120.50", on=datetime.date(LAST_YEAR, 12, 30))
    summary = issue_annual_receipt(donor.pk, LAST_YEAR, actor=None)[0]
    company_receipt = issue_organisation_receipt(
        pay(company, "300", on=datetime.date(LAST_YEAR, 6, 1)).pk, actor=None
    )
    issue_organisation_receipt(pay(organisation, "80").pk, actor=None)
    other = IndividualFactory()
    pay(other, "40", year=LAST_YEAR - 1, on=datetime.date(LAST_YEAR - 1, 5, 5))
    issue_annual_receipt(other.pk, LAST_YEAR - 1, actor=None)
    return {"summary": summary, "company": company_receipt}


def figures_row(page, year):
    row = re.search(rf'<tr id="declaration-{year}">.*?</tr>', page, flags=re.S)
    assert row, f"no row for {year}"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).replace("\u00a0", " ").split())


def test_the_figures_count_the_valid_fiscal_receipts_by_year_of_the_gifts(
    client, treasurer_user, gifts
):
    client.force_login(treasurer_user)
    page = text(client.get("/tresorerie/"))
    row = figures_row(page, LAST_YEAR)
    assert f"{LAST_YEAR} 2 420,50 €" in row, row
    assert "5 mai" in row or declaration_deadline(LAST_YEAR).strftime("%d/%m/%Y") in row
    assert figures_row(page, LAST_YEAR - 1).startswith(f"{LAST_YEAR - 1} 1 40,00 €")
    assert "https://www.demarches-simplifiees.fr/commencer/declaration-des-dons" in page


def test_the_deadline_is_the_second_working_day_after_the_first_of_may():
    assert declaration_deadline(2025) == datetime.date(2026, 5, 5)  # 1 May 2026 is a Friday
    assert declaration_deadline(2024) == datetime.date(2025, 5, 5)  # a Thursday
    assert declaration_deadline(2026) == datetime.date(2027, 5, 4)  # a Saturday


def test_declared_figures_are_frozen_and_a_later_cancellation_shows_the_difference(
    client, treasurer_user, gifts
):
    client.force_login(treasurer_user)
    # Declared in the spring, or today if the spring has not come yet.
    declared_on = min(datetime.date(LAST_YEAR + 1, 4, 20), clock.TODAY)
    response = client.post(
        f"/tresorerie/declaration/{LAST_YEAR}/", {"declared_on": declared_on.isoformat()}
    )
    assert response.status_code == 302
    declaration = Declaration.objects.get(year=LAST_YEAR)
    assert (declaration.count, str(declaration.total), declaration.declared_on) == (
        2,
        "420.50",
        declared_on,
    )
    assert declaration.declared_by == treasurer_user
    entry = AuditEntry.objects.get(action="declaration.recorded")
    assert entry.after["count"] == 2 and entry.actor == treasurer_user
    row = figures_row(text(client.get("/tresorerie/")), LAST_YEAR)
    assert f"déclaré le {declared_on:%d/%m/%Y}" in row and "écart" not in row

    cancel_receipt(gifts["company"], reason="Chèque remboursé", reissue=False, actor=None)
    row = figures_row(text(client.get("/tresorerie/")), LAST_YEAR)
    assert f"{LAST_YEAR} 1 120,50 €" in row
    assert "écart à déclarer : -1 reçu, -300,00 €" in row
    declaration.refresh_from_db()
    assert (declaration.count, str(declaration.total)) == (2, "420.50"), "frozen as declared"


@pytest.mark.parametrize(
    "declared_on",
    [f"{LAST_YEAR}-12-31", f"{LAST_YEAR + 5}-01-01", "pas une date"],
)
def test_a_declaration_date_that_cannot_be_is_refused(client, treasurer_user, gifts, declared_on):
    client.force_login(treasurer_user)
    response = client.post(f"/tresorerie/declaration/{LAST_YEAR}/", {"declared_on": declared_on})
    assert response.status_code == 200
    page = text(response)
    row = figures_row(page, LAST_YEAR)
    assert "date" in row.lower() and declared_on in page, "the message next to it, typed kept"
    assert not Declaration.objects.exists()
