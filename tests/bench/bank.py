"""`make bench`, the bank's line: importing and matching a statement of BENCH_BANK_LINES credits
(5 000 by default) against BENCH_BANK_MEMBERS members (20 000), each with an open pledge.

A fifth of the lines carry a pledge's RF reference, a fifth a member reference, a fifth a
payer's IBAN learned earlier, a fifth a payer's name and a pledge's amount, a fifth nothing
the portal knows. It prints the time of `import_statement` (reading the CAMT.053 file, storing
the lines, matching them) and the queries it sent per line, for the full statement and for a
tenth of it. The reads and writes are the same count for both: matching loads what it needs
in bulk instead of querying line by line. Only the batched inserts grow, a statement per
batch of rows (1 000 on PostgreSQL, fewer on SQLite, which takes at most 999 parameters).

Run by `python -m tests.bench.receipts` after the receipts' line, or alone:
`python -m tests.bench.bank`.
"""

import datetime
import os
import sys
import tempfile
import time
from decimal import Decimal


def create_members(n):
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from dues.models import KnownPayerAccount, Pledge
    from members.models import Member, MemberKind

    start = Member.objects.count()
    Member.objects.bulk_create(
        (
            Member(
                kind=MemberKind.INDIVIDUAL,
                first_name=f"Prénom{i % 97}",
                last_name=f"Banque{i:05d}",
                email=f"banque{i}@example.org",
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    # What `Member.save` does one by one: the reference from the primary key.
    Member.objects.filter(reference__isnull=True).update(
        reference=Concat(Value("CAC-"), LPad(Cast("pk", CharField()), 6, Value("0")))
    )
    members = list(Member.objects.filter(last_name__startswith="Banque").order_by("pk"))
    assert len(members) == n, (start, len(members))
    year = 2026
    Pledge.objects.bulk_create(
        (
            Pledge(member=m, year=year, purpose="adhesion", amount=Decimal(20 + i % 7 * 10))
            for i, m in enumerate(members)
        ),
        batch_size=2000,
    )
    KnownPayerAccount.objects.bulk_create(
        KnownPayerAccount(iban=_iban(i), member=m) for i, m in enumerate(members) if i % 10 == 0
    )
    pledges = {p.member_id: p for p in Pledge.objects.filter(member__in=members)}
    return members, pledges


def _iban(i):
    from schwifty import IBAN

    return IBAN.generate(
        "FR", bank_code="30003", branch_code="01000", account_code=f"{i:011d}"
    ).compact


def statement(members, pledges, lines, offset):
    """A CAMT.053 file of `lines` credits for the members, the fifths described above."""
    from dues.references import creditor_reference
    from tests.helpers import camt053

    entries = []
    for i in range(lines):
        index = (offset + i * 4) % len(members)
        member = members[index]
        entry = {
            "day": datetime.date(2026, 1 + i % 10, 1 + i % 28),
            "amount": f"{20 + index % 7 * 10}.00",
            "ref": f"BENCH{offset}-{i}",
        }
        if i % 5 == 0:
            entry["rf"] = creditor_reference(pledges[member.pk])
        elif i % 5 == 1:
            entry["label"] = f"COTISATION {member.reference}"
        elif i % 5 == 2:
            entry["iban"] = _iban(index - index % 10)
        elif i % 5 == 3:
            entry["name"] = f"M {member.first_name} {member.last_name}"
        else:
            entry["label"] = f"VIREMENT DIVERS {i}"
        entries.append(entry)
    return camt053(entries)


def timed_import(data, name):
    """(the import's result, its time, its batched inserts, its other queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dues.services.statements import import_statement

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = import_statement(data=data, file_name=name, actor=None)
        elapsed = time.perf_counter() - start
    inserts = sum(q["sql"].lstrip().upper().startswith("INSERT") for q in queries.captured_queries)
    return result, elapsed, inserts, len(queries) - inserts


def run_bank(lines, members_count):
    members, pledges = create_members(members_count)
    tenth = statement(members, pledges, lines // 10, 1)
    full = statement(members, pledges, lines, 2)
    small, _elapsed, small_inserts, small_others = timed_import(tenth, "dixieme.xml")
    result, elapsed, inserts, others = timed_import(full, "releve.xml")
    if result.added != lines or small.added != lines // 10:
        sys.exit(f"bench: {result.added} lines stored out of {lines}")
    sys.stdout.write(
        f"bank: {lines} lines against {members_count} members imported and matched in "
        f"{elapsed:.1f} s, {lines / elapsed:.0f} lines/s, {result.sure} sure; queries: "
        f"{others} reads and writes + {inserts} batched inserts = "
        f"{(others + inserts) / lines:.4f} per line (for {small.added} lines: "
        f"{small_others} + {small_inserts})\n"
    )


def main():
    from tests.bench.receipts import setup_django

    lines = int(os.environ.get("BENCH_BANK_LINES", "5000"))
    members = int(os.environ.get("BENCH_BANK_MEMBERS", "20000"))
    with tempfile.TemporaryDirectory(prefix="cac-bench-bank-") as workdir:
        setup_django(workdir, "bank")
        run_bank(lines, members)


if __name__ == "__main__":
    main()
