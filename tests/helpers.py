"""Helpers the tests share: forms as a browser posts them, payments made directly, PDFs read
back as text, numbers checked for gaps, calls run at once. Fixtures live in the conftest files."""

import csv
import datetime
import html
import io
import itertools
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfReader

from charter.models import Charter, PrivacyNotice
from charter.services import accept_charter, accept_privacy_notice
from dues.campaign import current_year
from dues.models import PaymentMethod
from members.models import Access
from receipts.models import Receipt
from tests import clock
from tests.factories import PaymentFactory

# `next` values that are not a path of this site: each must send the visitor to the default.
BAD_NEXT = [
    "abc",
    "dues:desk",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/\tevil",
    "/\x00",
    "\x00",
    " /gestion/",
    "http:/evil.example",
]

# The project's own apps, whose every URL the fuzz and the CSP tests walk.
APPS = {"charter", "members", "dues", "receipts"}

# The year whose receipts the January batch issues now, on the suite's clock.
LAST_YEAR = clock.LAST_YEAR


def paris(year, month, day, hour=12, minute=0):
    """A moment on the collective's clock (Europe/Paris), for `time_machine.travel`."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=clock.PARIS)


def image_bytes(image_format, size=(240, 80), noise=False):
    """An image file as a scanner would give it: a signature-like stroke, or random noise
    (which no format compresses: a big file)."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, "white")
        ImageDraw.Draw(image).line([(10, size[1] - 10), (size[0] - 10, 10)], fill="navy", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def text(response):
    return html.unescape(response.content.decode())


def submission_key(response):
    """The one-time key of the creating form on a page (its hidden `submission_key`)."""
    found = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode())
    return found.group(1)


def member_of(user):
    """The member record `user` owns (the one they claimed or were given), or None."""
    access = Access.objects.filter(user=user, role=Access.Role.OWNER).order_by("pk").first()
    return access.member if access else None


def paper_post(kind="individual", signed_days_ago=3, **overrides):
    """The desk's paper form as staff post it: Lucie Aubrac's adhesion with cheque 5550001."""
    return {
        "kind": kind,
        "purpose": "adhesion",
        "amount": "50",
        "signed_on": (timezone.localdate() - datetime.timedelta(days=signed_days_ago)).isoformat(),
        "charter_signed": "on",
        "method": "cheque",
        "cheque_number": "5550001",
        "bank": "Crédit Mutuel",
        "received_on": timezone.localdate().isoformat(),
        "year": current_year(),
        "ind-last_name": "Aubrac",
        "ind-first_name": "Lucie",
        "ind-street": "12 rue des Lilas",
        "ind-postal_code": "75020",
        "ind-city": "Paris",
        "ind-country": "FR",
        "org-country": "FR",
        "corr-TOTAL_FORMS": "2",
        "corr-INITIAL_FORMS": "0",
        **overrides,
    }


def individual_post(**overrides):
    data = {
        "kind": "individual",
        "purpose": "adhesion",
        "tier": "50.00",
        "other_amount": "",
        "accept_charter": "on",
        "accept_privacy": "on",
        "charter_version": "1",
        "privacy_version": "",
        "ind-last_name": "Durand",
        "ind-first_name": "Léa",
        "ind-email": "lea@example.org",
        "ind-phone_mobile": "06 12 34 56 78",
        "ind-street": "5 rue Oberkampf",
        "ind-postal_code": "75011",
        "ind-city": "Paris",
        "ind-country": "FR",
        "corr-TOTAL_FORMS": "2",
        "corr-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def organisation_post(**overrides):
    data = {
        "kind": "organisation",
        "purpose": "adhesion",
        "org_amount": "",
        "accept_charter": "on",
        "accept_privacy": "on",
        "org-name": "Les Amis du Quartier",
        "org-acronym": "ADQ",
        "org-email": "contact@adq.example.org",
        "org-street": "1 place du Marché",
        "org-postal_code": "69001",
        "org-city": "Lyon",
        "org-country": "FR",
        "org-annual_budget": "150 000",
        "corr-TOTAL_FORMS": "2",
        "corr-INITIAL_FORMS": "0",
        "corr-0-name": "Paul Martin",
        "corr-0-function": "Président",
        "corr-0-email": "paul@example.org",
        "corr-1-name": "Inès Roy",
        "corr-1-phone_mobile": "0698765432",
    }
    data.update(overrides)
    return data


def pdf_text(data):
    """The text of a PDF as pypdf reads it, whitespace folded to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


_cheques = itertools.count(5000000)


def pay(member, amount="50.00", year=LAST_YEAR, on=None, method=PaymentMethod.CHEQUE, pledge=None):
    """A received payment row (no signal): the tests call the receipt services themselves."""
    return PaymentFactory(
        member=member,
        pledge=pledge,
        amount=Decimal(amount),
        year=year,
        received_on=on or datetime.date(year, 6, 15),
        method=method,
        cheque_number=str(next(_cheques)) if method == PaymentMethod.CHEQUE else "",
        bank="Crédit Coopératif" if method == PaymentMethod.CHEQUE else "",
    )


def numbers_are_continuous(numbers=None):
    """The receipt numbers of each year of issue run from 1 with no gap and no duplicate."""
    numbers = Receipt.objects.values_list("number", flat=True) if numbers is None else numbers
    by_year = {}
    for number in numbers:
        year, value = number.split("-")
        by_year.setdefault(year, []).append(int(value))
    return all(sorted(values) == list(range(1, len(values) + 1)) for values in by_year.values())


def run_at_once(calls):
    """Run each call in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def csv_rows(response):
    """The rows of a CSV download (streamed or not) as the house's writer made it: a UTF-8
    byte-order mark, ";" between cells."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8")
    assert content.startswith("\ufeff"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


COLLECTIVE_IBAN = "FR7642559100000800123456771"
DATA = Path(__file__).parent / "data"


def data_file(name):
    """The bytes of a statement file written for the tests (tests/data/)."""
    return (DATA / name).read_bytes()


def camt053(entries, *, iban=COLLECTIVE_IBAN, version="08"):
    """A CAMT.053 statement of `entries` (dicts: day, amount, and optionally name, iban,
    label, rf, ref, debit), as a bank writes it; bytes."""
    party = "<Pty><Nm>{}</Nm></Pty>" if version >= "08" else "<Nm>{}</Nm>"
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version >= "08" else "<Sts>BOOK</Sts>"
    rows = []
    for entry in entries:
        day = entry["day"].isoformat()
        strd = (
            f"<Strd><CdtrRefInf><Ref>{entry['rf']}</Ref></CdtrRefInf></Strd>"
            if entry.get("rf")
            else ""
        )
        account = (
            f"<DbtrAcct><Id><IBAN>{entry['iban']}</IBAN></Id></DbtrAcct>"
            if entry.get("iban")
            else ""
        )
        rows.append(
            f'<Ntry><Amt Ccy="EUR">{entry["amount"]}</Amt>'
            f"<CdtDbtInd>{'DBIT' if entry.get('debit') else 'CRDT'}</CdtDbtInd>{status}"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>{entry.get('ref', '')}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties>"
            f"<Dbtr>{party.format(html.escape(entry.get('name', '')))}</Dbtr>{account}"
            f"</RltdPties><RmtInf><Ustrd>{html.escape(entry.get('label', ''))}</Ustrd>{strd}"
            "</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>TEST</MsgId></GrpHdr><Stmt><Id>TEST</Id>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{''.join(rows)}</Stmt></BkToCstmrStmt>"
        "</Document>"
    ).encode()


def log_in_browser(page, live_server, user):
    """The browser of `page` logged in as `user` (a session cookie, no login form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def project_urls():
    """Every URL pattern of the project's own apps, as a route with its placeholders."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and namespace in APPS:
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "/", None)
    return sorted(set(found))


def concrete(route, objects):
    for placeholder, value in objects.items():
        route = route.replace(placeholder, value)
    return route


def desk_entry(who, **overrides):
    """The desk's cheque entry for member `who`, as staff post it."""
    values = {
        "member": who.pk,
        "method": "cheque",
        "amount": "50,00",
        "cheque_number": "1234567",
        "bank": "La Banque Postale",
        "drawer": "",
        "received_on": timezone.localdate().isoformat(),
        "year": current_year(),
    }
    values.update(overrides)
    return values


def subscribed(member):
    """`member` with the charter and the privacy notice in force accepted (else the member
    space asks for them first)."""
    accept_charter(member, Charter.objects.current(), actor=None)
    accept_privacy_notice(member, PrivacyNotice.objects.current(), actor=None)
    return member
