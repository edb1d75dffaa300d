"""The treasurer watches the January batch in a real browser: the bar moves by itself."""

import pytest
from playwright.sync_api import expect

from receipts.models import AnnualBatch
from receipts.services import ensure_pdf, issue_annual_receipt
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, log_in_browser, pay

pytestmark = pytest.mark.browser


def issue(people):
    """Issue and render, as the workers do: a receipt counts once its PDF exists."""
    for person in people:
        ensure_pdf(issue_annual_receipt(person.pk, LAST_YEAR, actor=None)[0])


def test_progress_bar_follows_the_batch_then_shows_the_counts(page, live_server, treasurer_user):
    # The progress is read from the receipts that exist: issue them as the workers would.
    people = [IndividualFactory(email="") for _ in range(40)]
    for person in people:
        pay(person, "10")
    batch = AnnualBatch.objects.create(fiscal_year=LAST_YEAR, total=40)
    issue(people[:10])
    log_in_browser(page, live_server, treasurer_user)
    page.goto(f"/tresorerie/?annee={LAST_YEAR}")
    bar = page.locator("#batch-progress")
    assert bar.get_attribute("value") == "10"
    expect(page.locator("#batch-counts")).to_have_text("10 émis sur 40, 0 en échec")

    issue(people[10:25])
    AnnualBatch.objects.filter(pk=batch.pk).update(failures={str(people[25].pk): "adresse"})
    expect(page.locator("#batch-counts")).to_have_text("25 émis sur 40, 1 en échec")
    assert bar.evaluate("element => element.value") == 25

    issue(people[26:40])
    AnnualBatch.objects.filter(pk=batch.pk).update(status="done")
    # Finished: the page reloads itself and shows the final state, without the refresh.
    expect(page.locator("#batch-status")).to_have_text("terminé", timeout=10_000)
    expect(page.locator("#batch-counts")).to_have_text("39 émis sur 40, 1 en échec")
    assert page.locator("noscript").count() == 0
