"""The pages' own scripts run under the Content-Security-Policy, and the browser reports no
violation (the `page` fixture also fails any browser test whose pages report one)."""

import pytest
from playwright.sync_api import expect

from tests.factories import IndividualFactory
from tests.helpers import log_in_browser

pytestmark = pytest.mark.browser


def test_the_scripts_work_under_the_policy_and_nothing_is_refused(
    page, live_server, staff_user, csp_violations
):
    page.goto("/adhesion/")
    # adhesion.js shows one section at a time and follows the chosen kind.
    expect(page.locator("#section-organisation")).to_be_hidden()
    page.get_by_label("au nom d'une organisation").check()
    expect(page.locator("#section-organisation")).to_be_visible()
    expect(page.locator("#section-individual")).to_be_hidden()
    page.get_by_role("button", name="Ajouter un correspondant").click()
    expect(page.locator("#id_corr-2-name")).to_be_visible()
    assert page.url.endswith("/adhesion/")

    IndividualFactory(first_name="Lucie", last_name="Aubrac")
    log_in_browser(page, live_server, staff_user)
    page.goto("/gestion/")
    # desk.js turns the search into a combobox that asks the server as one types.
    page.get_by_role("combobox", name="Membre").fill("Aubrac")
    expect(page.get_by_role("option", name="Lucie Aubrac", exact=False)).to_be_visible()
    assert csp_violations == []

    # The browser does refuse what the policy forbids, and the fixture hears it.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as refused:
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'document.title = \"inline ran\"'; document.body.append(s); }"
        )
    assert "script-src" in refused.value.text
    assert page.title() != "inline ran"
    assert csp_violations == [refused.value.text]
    csp_violations.clear()
