"""Nothing a visitor can send produces a server error: every page, for every kind of visitor,
answered with odd query strings and odd form posts, says 2xx, 3xx or 4xx — never 5xx."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from receipts.services import issue_annual_receipt
from tests.factories import DepositSlipFactory, IndividualFactory, PaymentFactory

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "",
    "-1",
    "0",
    "abc",
    "99999999999999999999",
    "1e9",
    "NaN",
    "%00",
    "' OR 1=1 --",
    "é" * 300,
]
ODD_KEYS = [
    "page",
    "q",
    "annee",
    "year",
    "method",
    "status",
    "kind",
    "deposited",
    "city",
    "copie",
    "fiscal_year",
    "amount",
    "du",
    "au",
    "action",
]


def project_urls():
    """Every named URL of the project's own apps, with a value for each parameter."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and namespace in {
                "charter",
                "members",
                "dues",
                "receipts",
            }:
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "/", None)
    return sorted(set(found))


@pytest.fixture
def objects(cac, member_user):
    member = member_user.member
    payment = PaymentFactory(member=member, year=2025)
    receipt, _ = issue_annual_receipt(member.pk, 2025, actor=None)
    slip = DepositSlipFactory()
    return {
        "<int:pk>": str(payment.pk),
        "<int:year>": "2025",
        "<int:version>": "1",
        "<str:number>": slip.number,
        "<uuid:code>": str(receipt.code),
    }


def concrete(route, objects):
    for placeholder, value in objects.items():
        route = route.replace(placeholder, value)
    return route


@pytest.mark.parametrize("who", [None, "member_user", "staff_user", "treasurer_user"])
def test_no_page_answers_a_server_error(client, request, who, objects):
    if who:
        client.force_login(request.getfixturevalue(who))
    IndividualFactory(last_name="Témoin")
    urls = [concrete(route, objects) for route in project_urls()]
    assert len(urls) >= 30
    for url in urls:
        assert "<" not in url, f"no value for a parameter of {url}"
        # Each request sends every odd key, the odd values rotated so that every key meets
        # every value once.
        for shift in range(len(ODD_VALUES)):
            params = {
                key: ODD_VALUES[(shift + i) % len(ODD_VALUES)] for i, key in enumerate(ODD_KEYS)
            }
            assert client.get(url, params).status_code < 500, (url, "GET", params)
            assert client.post(url, params).status_code < 500, (url, "POST", params)
