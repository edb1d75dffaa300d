"""Nothing a visitor can send produces a server error: every page of the project's apps, for
every kind of visitor, answered with odd query strings, odd URL parameters and odd values in
every field of every form it shows, says 2xx, 3xx or 4xx — never 5xx.

The forms are read from the pages themselves (like the permission matrices read the URLconf):
a new page or a new field is fuzzed the day it is added. Each form is first posted as a person
would fill it (its own values, sensible ones where empty), then once per field with that field
replaced by odd values (sampled, not the full cross product), once with every field odd, once
per named button and with odd `next` values; always with the page's CSRF token. NUL bytes only
fail on PostgreSQL: run it there too (DATABASE_URL=postgres://… REQUIRE_POSTGRES=1).
"""

import datetime
import random
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dues.models import BankLine, Pledge
from dues.services.confirmations import attach_token
from dues.services.reminders import unsubscribe_token
from dues.services.renewals import renewal_token
from dues.services.slips import create_slip
from dues.services.statements import import_statement
from receipts.models import ErrorReport
from receipts.services import issue_annual_receipt
from tests import clock
from tests.clock import LAST_YEAR
from tests.factories import IndividualFactory, PaymentFactory
from tests.foundation.conftest import FUZZ_COUNTS
from tests.helpers import camt053, concrete, member_of, project_urls

# slow: walks every URL and form of every role with odd values
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

VISITORS = [None, "member_user", "staff_user", "treasurer_user", "superuser"]
ODD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1b[31m",
    "x" * 10_000,
    "99999999999999999999",
    "-99999999999999999999",
    "32768",
    "32767",
    "-32769",
    "-1",
    "0",
    "1.000",
    "1,000",
    "1.000,50",
    "1e9",
    "NaN",
    "²",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "é" * 300,
    "\ufffd\u200b\u202e",
]
ODD_NEXT = [
    "abc",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "\x00",
    "/\x00",
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
    "up_to_date",
    "par_page",
    "copie",
    "fiscal_year",
    "amount",
    "received_from",
    "received_to",
    "payments",
    "select",
    "next",
    "du",
    "au",
    "action",
]
HUGE_ID = "99999999999999999999"


@pytest.fixture
def objects(cac, member_user):
    """One of each object the URLs name, so that every page has something to show."""
    member = member_of(member_user)
    payment = PaymentFactory(
        member=member, year=LAST_YEAR, received_on=datetime.date(LAST_YEAR, 6, 15)
    )
    receipt, _ = issue_annual_receipt(member.pk, LAST_YEAR, actor=None)
    ErrorReport.objects.create(receipt=receipt, message="Mon adresse a changé")
    # Through the service, as the desk does: its number comes from the gap-free counter.
    slip = create_slip([PaymentFactory(member=IndividualFactory(last_name="Témoin"))], actor=None)
    PaymentFactory()
    # A statement of two credits, matched: one to the member, one to nobody.
    reference = f"{member.reference} cotisation"
    import_statement(
        data=camt053(
            [
                {"day": clock.in_last_year(3, 2), "amount": "50.00", "label": reference},
                {"day": clock.in_last_year(3, 3), "amount": "12.00", "ref": "FUZZ2"},
            ]
        ),
        file_name="releve.xml",
        actor=None,
    )
    line = BankLine.objects.order_by("pk").first()
    # A pledge sent with the member's address by someone not logged in: it waits for them.
    waiting = Pledge.objects.create(
        member=None,
        matched_member=member,
        proposal={"kind": member.kind, "member": {"last_name": "Intrus"}},
        year=LAST_YEAR,
        purpose="adhesion",
        amount=10,
    )
    return {
        "<int:line>": str(line.pk),
        "<int:statement>": str(line.statement_id),
        "<str:token>": attach_token(waiting),
        "<str:reference>": member.reference,
        "<str:pledge_reference>": waiting.reference,
        "<int:pk>": str(payment.pk),
        "<int:year>": str(LAST_YEAR),
        "<int:version>": "1",
        "<str:number>": slip.number,
        "<uuid:code>": str(receipt.code),
        "member": str(member.pk),
        "<str:verification_token>": receipt.verification_token,
        "<str:renewal_token>": renewal_token(member, clock.YEAR),
        "<str:unsubscribe_token>": unsubscribe_token(member),
    }


class FormReader(HTMLParser):
    """The forms of a page as a browser sees them: method, action, and their controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "controls": [],
            }
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attrs or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            self._form["controls"].append(
                {
                    "name": attrs["name"],
                    "type": kind,
                    "value": attrs.get("value") or ("on" if kind in ("checkbox", "radio") else ""),
                    "on": "checked" in attrs,
                }
            )
        elif tag == "button":
            if (attrs.get("type") or "submit").lower() == "submit":
                self._form["controls"].append(
                    {"name": attrs["name"], "type": "button", "value": attrs.get("value", "")}
                )
        elif tag == "select":
            self._select = {"name": attrs["name"], "type": "select", "options": [], "value": None}
            self._form["controls"].append(self._select)
        elif tag == "textarea":
            self._textarea = {"name": attrs["name"], "type": "textarea", "value": ""}
            self._form["controls"].append(self._textarea)
        if tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select["value"] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def sensible(name, objects):
    """What a person would type in an empty field, by the field's name (prefixes dropped)."""
    today = timezone.localdate()
    return {
        "member": objects["member"],
        "amount": "50",
        "other_amount": "50",
        "cheque_number": "7654321",
        "bank": "CIC",
        "received_on": today.isoformat(),
        "signed_on": today.isoformat(),
        "year": str(today.year),
        "reason": "Motif",
        "message": "Le montant est faux",
        "last_name": "Essai",
        "first_name": "Camille",
        "name": "Association Essai",
        "street": "1 rue de la Paix",
        "postal_code": "75011",
        "city": "Paris",
        "email": "essai@example.org",
        "charter_signed": "on",
        "accept_charter": "on",
        "accept_privacy": "on",
        "accept": "on",
    }.get(name.rsplit("-", 1)[-1], "")


def filled(form, objects):
    """The form as a person would send it: its own values, sensible ones where it has none."""
    data = {}
    for control in form["controls"]:
        name, kind = control["name"], control["type"]
        if kind == "button":
            continue
        if kind in ("checkbox", "radio"):
            if control["on"]:
                data[name] = control["value"]
            elif name not in data and sensible(name, objects) == "on" and kind == "checkbox":
                data[name] = "on"
            continue
        if kind == "select":
            value = control["value"]
            if value is None:
                value = next((option for option in control["options"] if option), "")
            data[name] = value or sensible(name, objects)
            continue
        data[name] = control["value"] or sensible(name, objects)
    return data


ODD_NUMBERS = [
    "99999999999999999999",
    "-99999999999999999999",
    "32768",
    "32767",
    "-32769",
    "-1",
    "0",
    "1e9",
    "NaN",
    "²",
    "1.000",
    "\x00",
]
ODD_DATES = ["0001-01-01", "9999-12-31", "99999-01-01", "2026-02-30", "-1", "\x00", "x" * 10_000]
# Small forms get a few odd values per field; big ones (the adhesion and paper forms, some sixty
# fields each) one, which keeps the whole run within a minute.
SMALL_FORM = 12


def odd_values_for(control):
    """The odd values worth trying in this control, by its type."""
    if control["type"] == "number" or control["name"].rsplit("-", 1)[-1] in ("year", "amount"):
        return ODD_NUMBERS
    if control["type"] == "date":
        return ODD_DATES
    return ODD_VALUES


def submissions(form, objects, rng):
    """What to send to a form: filled in, then each field odd in turn, all odd, its buttons,
    odd `next` values."""
    base = filled(form, objects)
    controls = {c["name"]: c for c in form["controls"] if c["type"] != "button"}
    controls.pop("csrfmiddlewaretoken", None)
    per_field = 3 if len(controls) <= SMALL_FORM else 1
    yield base
    for name, control in sorted(controls.items()):
        for value in rng.sample(odd_values_for(control), per_field):
            yield {**base, name: value}
    # Every field at once: odd values, then a NUL byte in each (what PostgreSQL refuses).
    yield {**base, **{name: rng.choice(ODD_VALUES) for name in controls}}
    yield {**base, **{name: "a\x00b" for name in controls}}
    for control in form["controls"]:
        if control["type"] == "button":
            yield {**base, control["name"]: control["value"]}
    if form["method"] == "post":
        # Every odd `next` where the form carries one (its view reads it), one elsewhere.
        for value in ODD_NEXT if "next" in controls else [rng.choice(ODD_NEXT)]:
            yield {**base, "next": value}


class Visitor:
    """A test client for one kind of visitor that counts its requests and fails on a 5xx."""

    def __init__(self, user):
        self.client = Client(enforce_csrf_checks=True)
        self.user = user
        self.statuses = Counter()
        self.login()

    def login(self):
        if self.user is not None:
            self.client.force_login(self.user)

    def send(self, method, url, data=None):
        response = getattr(self.client, method)(url, data or {})
        self.statuses[(method, response.status_code)] += 1
        assert response.status_code < 500, (
            method,
            url,
            {k: v[:80] for k, v in (data or {}).items()},
        )
        return response

    @property
    def count(self):
        return sum(self.statuses.values())


def _record(request, who, visitor):
    counts = request.config.stash.setdefault(FUZZ_COUNTS, Counter())
    counts[who or "anonymous"] += visitor.count
    print(f"no-server-error fuzz, {who or 'anonymous'}: {visitor.count} requests")  # noqa: T201


@pytest.mark.parametrize("who", VISITORS)
def test_no_query_string_or_url_parameter_answers_a_server_error(request, who, objects):
    visitor = Visitor(request.getfixturevalue(who) if who else None)
    routes = project_urls()
    assert len(routes) >= 30
    for route in routes:
        url = concrete(route, objects)
        assert "<" not in url, f"no value for a parameter of {route}"
        # Each request sends every odd key, the values rotated: a fifth of the rotations per
        # kind of visitor, so that across the five every key meets every value.
        for shift in range(VISITORS.index(who), len(ODD_VALUES), len(VISITORS)):
            params = {
                key: ODD_VALUES[(shift + i) % len(ODD_VALUES)] for i, key in enumerate(ODD_KEYS)
            }
            visitor.send("get", url, params)
        visitor.send("post", url, params)
        # Raw bytes in the query string (a NUL, a UTF-8 surrogate, a lone byte), and ids no
        # column holds.
        visitor.send("get", url + "?q=%00&page=%00&annee=%00&year=%ED%A0%80&city=%FF")
        if "<int:" in route:
            huge = route
            for placeholder in objects:
                if placeholder.startswith("<int:"):
                    huge = huge.replace(placeholder, HUGE_ID)
            visitor.send("get", concrete(huge, objects))
            visitor.send("post", concrete(huge, objects))
    _record(request, who, visitor)
    assert visitor.count >= len(routes) * 7


def page_forms(visitor, objects):
    """Every form of every page this visitor can open, once each: {key: (action, form)}."""
    logout = reverse("account_logout")
    forms = {}
    for route in project_urls():
        url = concrete(route, objects)
        response = visitor.send("get", url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = FormReader()
        reader.feed(response.content.decode())
        for form in reader.forms:
            action = urljoin(url, form["action"] or url)
            if urlsplit(action).path == logout:
                continue
            names = tuple(control["name"] for control in form["controls"])
            forms.setdefault((form["method"], urlsplit(action).path, names), (action, form))
    return forms


@pytest.mark.parametrize("who", VISITORS)
def test_no_form_answers_a_server_error_whatever_its_fields_hold(request, who, objects):
    visitor = Visitor(request.getfixturevalue(who) if who else None)
    rng = random.Random(f"fuzz-{who}")
    fuzzed = set()
    # A form sent as a person would send it may open others (the charter accepted, the member
    # space appears): the pages are read again until no new form shows.
    for _ in range(3):
        forms = page_forms(visitor, objects)
        new = sorted(key for key in forms if key not in fuzzed)
        if not new:
            break
        for key in new:
            action, form = forms[key]
            for data in submissions(form, objects, rng):
                visitor.send(key[0], action, data)
            fuzzed.add(key)
            # A form may have ended the session: the next one starts logged in again.
            visitor.login()
    _record(request, who, visitor)
    posted = sum(n for (method, status), n in visitor.statuses.items() if method == "post")
    refused = visitor.statuses[("post", 403)]
    assert len(fuzzed) >= {None: 3, "member_user": 7}.get(who, 14), sorted(fuzzed)
    # The token is sent: the views are reached, not stopped by the CSRF check.
    assert posted >= 60 and refused < posted / 10, visitor.statuses
