"""A Content-Security-Policy on every page: the portal's own scripts and styles only, no inline
script or handler, no framing, forms posting only to the portal. And no template needs more."""

import datetime
import re
from pathlib import Path

import pytest

from dues.services.reminders import unsubscribe_token
from dues.services.renewals import renewal_token
from receipts.services import issue_annual_receipt
from tests import clock
from tests.clock import LAST_YEAR
from tests.factories import DepositSlipFactory, PaymentFactory
from tests.helpers import concrete, member_of, project_urls

# slow: walks every page of every role
pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}
# Pages of allauth, Django's admin and i18n, and what a visitor sees for a missing page.
OTHER_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/admin/login/",
    "/admin/",
    "/no-such-page/",
]


def policy(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


@pytest.fixture
def url_values(cac, member_user):
    member = member_of(member_user)
    payment = PaymentFactory(
        member=member, year=LAST_YEAR, received_on=datetime.date(LAST_YEAR, 6, 15)
    )
    receipt, _ = issue_annual_receipt(member.pk, LAST_YEAR, actor=None)
    return {
        "<int:pk>": str(payment.pk),
        "<int:year>": str(LAST_YEAR),
        "<int:version>": "1",
        "<str:number>": DepositSlipFactory().number,
        "<uuid:code>": str(receipt.code),
        "<str:verification_token>": receipt.verification_token,
        "<str:renewal_token>": renewal_token(member, clock.YEAR),
        "<str:unsubscribe_token>": unsubscribe_token(member),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "member_user", "staff_user", "treasurer_user", "superuser"])
def test_every_page_carries_the_policy(client, request, who, url_values):
    if who:
        client.force_login(request.getfixturevalue(who))
    urls = [concrete(route, url_values) for route in project_urls()] + OTHER_PAGES
    assert len(urls) >= 35
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        found = policy(response)
        for directive, sources in POLICY.items():
            assert found.get(directive) == sources, (url, directive, found)
        assert not {"'unsafe-inline'", "'unsafe-eval'"} & set().union(*found.values()), url


def page_templates():
    """The templates that become web pages: not the emails, nor the HTML turned into PDFs."""
    for path in sorted((ROOT / "templates").rglob("*.html")):
        parts = path.relative_to(ROOT / "templates").parts
        if "email" in parts or "pdf" in parts or path.name.endswith("_pdf.html"):
            continue
        yield path


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_page_template_has_inline_script_handler_or_style():
    templates = list(page_templates())
    assert len(templates) >= 30
    found = []
    for path in templates:
        source = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_the_grep_finds_what_it_looks_for():
    source = (
        '<script>alert(1)</script><a onclick="x()" href="javascript:void(0)" style="color:red">'
        '<style>p{}</style><script src="/static/js/ok.js" defer></script>'
    )
    found = [what for pattern, what in INLINE if pattern.search(source)]
    assert len(found) == len(INLINE)
    assert not any(p.search('<script src="/static/js/a.js" defer></script>') for p, _ in INLINE)
