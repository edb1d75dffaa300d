"""`make bench`, second part: the members' CSV export at ROWS members (time, and the streamed
response's peak memory, which must not grow with the rows) and the treasurer's dashboard at
ROWS payments (time and number of queries, which must not grow either).

ROWS is 50 × BENCH_N (100 000 with the default BENCH_N=2000). Run by `tests.bench.receipts`
after its own figures, on the same throwaway database; it prints one line per figure.
"""

import datetime
import gc
import time
import tracemalloc
from decimal import Decimal

ROWS_PER_N = 50
YEARS = 6


def create_rows(rows, year):
    """`rows` members (one in five an organisation) with one received payment each, spread
    over the six years up to `year` and over the months."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from dues.models import Payment, PaymentMethod
    from members.models import Member, MemberKind

    batch = 5000
    for start in range(0, rows, batch):
        size = min(batch, rows - start)
        members = Member.objects.bulk_create(
            Member(
                kind=MemberKind.ORGANISATION if i % 5 == 0 else MemberKind.INDIVIDUAL,
                last_name="" if i % 5 == 0 else f"Export{i:06d}",
                first_name="" if i % 5 == 0 else "Camille",
                name=f"Association {i:06d}" if i % 5 == 0 else "",
                email=f"export{i}@example.org",
                phone_mobile="+33612345678",
                street=f"{i % 300 + 1} rue des Lilas",
                postal_code="75020",
                city="Paris",
            )
            for i in range(start, start + size)
        )
        Payment.objects.bulk_create(
            Payment(
                member=member,
                year=year - i % YEARS,
                method=PaymentMethod.TRANSFER,
                amount=Decimal(10 + i % 90),
                received_on=datetime.date(year - i % YEARS, 1 + i % 12, 1 + i % 28),
            )
            for i, member in enumerate(members, start=start)
        )
    Member.objects.filter(reference__isnull=True).update(
        reference=Concat(Value("CAC-"), LPad(Cast("pk", CharField()), 6, Value("0")))
    )


def _client(group):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _created = get_user_model().objects.get_or_create(
        username=f"bench-{group}", defaults={"email": f"bench-{group}@example.org"}
    )
    user.groups.add(Group.objects.get(name=group))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _export(client, query=""):
    """Ask for the members' export and read it to the end; returns (rows, bytes)."""
    response = client.get(f"/gestion/membres/export.csv{query}", secure=True)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    response.close()
    return lines - 1, size


def _peak(client, query=""):
    """The Python memory the export's streaming took at most (tracemalloc), in MB."""
    gc.collect()
    tracemalloc.start()
    rows, _size = _export(client, query)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return rows, peak / 2**20


def bench_members_export(out, rss_mb):
    from cac_portal.groups import STAFF

    client = _client(STAFF)
    before = rss_mb()
    start = time.perf_counter()
    rows, size = _export(client)
    elapsed = time.perf_counter() - start
    grown = rss_mb() - before
    out.write(
        f"members export: {rows} rows in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s, "
        f"{size / 2**20:.1f} MB of CSV)\n"
    )
    # A tenth of the members (a city) against all of them: the peak must not follow the rows.
    few, few_peak = _peak(client, "?city=Lyon")
    many, many_peak = _peak(client)
    out.write(
        f"members export memory: peak {many_peak:.1f} MB at {many} rows, {few_peak:.1f} MB at "
        f"{few} rows (tracemalloc); worker RSS {grown:+.1f} MB over the timed export\n"
    )


def bench_dashboard(out, payments, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cac_portal.groups import TREASURER

    client = _client(TREASURER)
    client.get(f"/tresorerie/tableau-de-bord/?annee={year}", secure=True)  # warm
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/tresorerie/tableau-de-bord/?annee={year}", secure=True)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    out.write(f"dashboard: {payments} payments in {elapsed:.2f} s\n")
    out.write(f"dashboard queries: {len(queries)} at {payments} payments\n")


def run(n, out, rss_mb):
    """The figures of this module at 50 × n rows (called by `tests.bench.receipts`)."""
    from django.utils import timezone

    from dues.models import Payment
    from members.models import Member

    rows = ROWS_PER_N * n
    year = timezone.localdate().year
    create_rows(rows, year)
    # A tenth of them in Lyon, for the export's second size.
    Member.objects.filter(email__endswith="1@example.org").update(city="Lyon")
    bench_members_export(out, rss_mb)
    bench_dashboard(out, Payment.objects.count(), year)
