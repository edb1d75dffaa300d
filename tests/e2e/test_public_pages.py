"""A visitor reads the charter and switches the interface to English, keyboard only."""

import pytest

pytestmark = pytest.mark.browser


def test_visitor_reads_the_charter_and_switches_language(page, cac):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Collectif des Associations Citoyennes"
    page.get_by_role("link", name="Lire la charte de principes").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/charte/")
    principles = page.locator("ol.principles > li strong").all_inner_texts()
    assert principles[0] == "Respecter"
    assert principles[-1] == "Préserver"
    assert len(principles) == 10

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/charte/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="The charter").is_visible()
