"""`make bench`, the renewal reminders' line: BENCH_N members (2 000 by default) up to date
last year, decided and emailed through the locmem backend in one daily run.

It prints the reminders per second and the queries per member, for BENCH_N members and for a
tenth of them: the run loads the recipients in one query (with their accesses) and then sends
the same few statements per member (the reminder's row, its claim, its sent mark), so the count
per member stays flat as N grows.

Run alone: `python -m tests.bench.reminders`.
"""

import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal


def create_lapsed(n, year, tag):
    """`n` members (a tenth of them organisations) who paid for `year` - 1 only."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from dues.models import Payment
    from members.models import Member, MemberKind

    Member.objects.bulk_create(
        (
            Member(
                kind=MemberKind.ORGANISATION if i % 10 == 0 else MemberKind.INDIVIDUAL,
                name=f"Structure {tag}{i}" if i % 10 == 0 else "",
                annual_budget=Decimal(5000 * (1 + i % 50)) if i % 10 == 0 else None,
                first_name=f"Prénom{i % 97}",
                last_name=f"Relance{tag}{i:05d}",
                email=f"relance{tag}{i}@example.org",
                language="en" if i % 7 == 0 else "fr",
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    Member.objects.filter(reference__isnull=True).update(
        reference=Concat(Value("CAC-"), LPad(Cast("pk", CharField()), 6, Value("0")))
    )
    members = Member.objects.filter(last_name__startswith=f"Relance{tag}")
    Payment.objects.bulk_create(
        (
            Payment(
                member=member,
                year=year - 1,
                method="transfer",
                amount=Decimal(10 + i % 3 * 40),
                received_on=datetime.date(year - 1, 1 + i % 12, 1 + i % 28),
            )
            for i, member in enumerate(members)
        ),
        batch_size=2000,
    )


def timed_run(today):
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dues.services.reminders import send_reminders

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        run = send_reminders(today=today)
        elapsed = time.perf_counter() - start
    if run.sent != run.decided or len(mail.outbox) != run.sent:
        sys.exit(f"bench: {run.decided} decided, {run.sent} sent, {len(mail.outbox)} emails")
    return run.sent, elapsed, len(queries)


def run_reminders(n):
    from django.conf import settings
    from django.utils import timezone

    from dues.models import RenewalCampaign, Scale
    from dues.services.campaigns import copy_scale

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = timezone.localdate()
    year = today.year + 1
    if not Scale.objects.filter(year=year).exists():
        copy_scale(year, actor=None)
    RenewalCampaign.objects.get_or_create(year=year, defaults={"opens_on": today})
    create_lapsed(n // 10, year, "a")
    small, _elapsed, small_queries = timed_run(today)
    create_lapsed(n, year, "b")
    sent, elapsed, queries = timed_run(today)
    if sent != n or small != n // 10:
        sys.exit(f"bench: {sent} reminders for {n} members, {small} for {n // 10}")
    sys.stdout.write(
        f"reminders: {n} members decided and emailed (locmem) in {elapsed:.1f} s, "
        f"{n / elapsed:.0f} reminders/s; queries: {queries} = {queries / n:.3f} per member "
        f"(for {small} members: {small_queries} = {small_queries / small:.3f} per member)\n"
    )


def main():
    from tests.bench.receipts import setup_django

    n = int(os.environ.get("BENCH_N", "2000"))
    with tempfile.TemporaryDirectory(prefix="cac-bench-reminders-") as workdir:
        setup_django(workdir, "reminders")
        run_reminders(n)


if __name__ == "__main__":
    main()
