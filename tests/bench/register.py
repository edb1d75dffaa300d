"""`make bench`, the receipts register: the treasurer's CSV download at COUNT receipts of one
issue year (some cancelled and replaced, every kind), read to its last byte through the test
client, against the house's CSV writer alone writing the same rows from memory. Run by
`tests.bench.batch`."""

import datetime
import statistics
import time
from decimal import Decimal

MEMBERS = 200


def free_issue_year():
    from receipts.models import Receipt

    year = 2001
    while Receipt.objects.filter(number__startswith=f"{year}-").exists():
        year += 1
    return year


def _receipt(i, year, member):
    from receipts.models import Receipt, ReceiptKind

    annual = i % 3 == 0
    cancelled = i % 100 == 1
    return Receipt(
        number=f"{year}-{i:05d}",
        kind=ReceiptKind.ANNUAL if annual else ReceiptKind.ORGANISATION,
        is_fiscal=annual or i % 2 == 0,
        member=member,
        # One valid summary per member and year: each member's summaries, a year apart.
        fiscal_year=year - 1 - i // (3 * MEMBERS) if annual else year,
        amount=Decimal(10 + i % 500) + Decimal("0.50"),
        issued_on=datetime.date(year, 1 + i % 12, 1 + i % 28),
        status="cancelled" if cancelled else "issued",
        cancelled_at=datetime.datetime(year, 12, 1, 10, tzinfo=datetime.UTC) if cancelled else None,
        cancellation_reason="Adresse erronée ; reçu rectificatif" if cancelled else "",
        donor_kind=member.kind,
        donor_name=f"=Donateur {i}" if i % 250 == 0 else f"Claire Registre{i:05d}",
        donor_address="1 rue des Lilas\n75020 Paris",
    )


def create_receipts(count, year):
    """`count` receipts numbered in `year`; each cancelled one replaced by the next."""
    from members.models import Member, MemberKind
    from receipts.models import Receipt

    members = Member.objects.bulk_create(
        Member(kind=MemberKind.INDIVIDUAL, first_name="Claire", last_name=f"Registre{i}")
        for i in range(MEMBERS)
    )
    if members[0].pk is None:
        members = list(Member.objects.filter(last_name__startswith="Registre").order_by("pk"))
    Receipt.objects.bulk_create(
        (_receipt(i, year, members[i % MEMBERS]) for i in range(1, count + 1)), batch_size=2000
    )
    by_number = dict(
        Receipt.objects.filter(number__startswith=f"{year}-").values_list("number", "pk")
    )
    replacements = [
        Receipt(pk=by_number[f"{year}-{i + 1:05d}"], replaces_id=by_number[f"{year}-{i:05d}"])
        for i in range(1, count, 100)
    ]
    Receipt.objects.bulk_update(replacements, ["replaces"], batch_size=2000)


def _client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from cac_portal.groups import TREASURER

    user, _created = get_user_model().objects.get_or_create(
        username="bench-register", defaults={"email": "bench-register@example.org"}
    )
    user.groups.add(Group.objects.get(name=TREASURER))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _download(client, year):
    response = client.get(f"/tresorerie/registre/{year}.csv", secure=True)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


def _writer_alone(rows):
    from members import spreadsheets
    from receipts.services.register import REGISTER_HEADER

    return sum(len(line.encode()) for line in spreadsheets.lines(REGISTER_HEADER, rows))


def measure(count, runs):
    """(median seconds of the download, median seconds of the writer alone)."""
    from receipts.services.register import register_rows

    year = free_issue_year()
    create_receipts(count, year)
    client = _client()
    _download(client, year)  # warm: the session, the URLconf, the query plan
    rows = list(register_rows(year))
    assert len(rows) == count, (len(rows), count)
    downloads, floors = [], []
    for _run in range(runs):
        start = time.perf_counter()
        size = _download(client, year)
        downloads.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert _writer_alone(rows) == size, "the same bytes"
        floors.append(time.perf_counter() - start)
    return statistics.median(downloads), statistics.median(floors)
