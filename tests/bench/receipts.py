"""`make bench`: N yearly receipts through the real pipeline, against WeasyPrint alone.

Run as `python -m tests.bench.receipts` (BENCH_N=2000 by default). It sets Django up itself on
a throwaway SQLite file (or a database of its own on DATABASE_URL's server), migrates, creates
N individuals with their payments, then times `issue_annual_receipts` (database, numbering,
rendering, storage, the email handed to a dummy backend; Celery runs the chunks in-process),
and, in the same run, the same receipts' HTML laid out by WeasyPrint alone in a loop (group by
group, interleaved with the pipeline, so that both see the same load on a shared machine). It
prints one line:

    receipts: N in T s, X/s; engine alone Y/s; ratio=X/Y

and the process' memory (RSS) before and after the pipeline. Then, on the same database,
`tests.bench.exports` adds the members' CSV export and the treasurer's dashboard at 50 × N
rows (100 000 by default), and `tests.bench.bank` a 5 000-line statement imported and matched
against 20 000 members: one line per figure.
"""

import datetime
import io
import os
import sys
import tempfile
import time
from decimal import Decimal

from tests.bench.database import bench_database_url


def setup_django(workdir, label, *, eager=True):
    """Django on an empty database of the bench module `label` (on DATABASE_URL's server, or a
    throwaway SQLite file in `workdir`: tests.bench.database), migrated, with the CAC defaults
    and a signature; tasks run in-process unless `eager` is False."""
    url = bench_database_url(workdir, label, os.environ.get("DATABASE_URL"))
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1" if eager else "0"
    os.environ["DEBUG"] = "0"  # no query log growing in memory
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cac_portal.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        # The journal mode of the throwaway file: WAL is how SQLite is run when it matters.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    call_command("load_cac_defaults", verbosity=0, stdout=io.StringIO())
    from django.core.files.base import ContentFile

    from charter.models import Collective
    from tests.helpers import image_bytes

    collective = Collective.load()
    collective.rna = "W751234567"
    collective.signature.save("signature.png", ContentFile(image_bytes("PNG")), save=False)
    collective.save(update_fields=["rna", "signature"])


def create_donors(n, year, offset=0):
    """`n` individuals with one cheque of `year` each (and a transfer for one in three);
    `offset` keeps names and cheque numbers apart when several sets share a database."""
    from dues.models import Payment, PaymentMethod
    from members.models import Member, MemberKind

    members = Member.objects.bulk_create(
        Member(
            kind=MemberKind.INDIVIDUAL,
            first_name="Claire",
            last_name=f"Bench{offset + i:05d}",
            email=f"bench{offset + i}@example.org",
            street=f"{i % 200 + 1} rue des Lilas",
            postal_code="75020",
            city="Paris",
        )
        for i in range(n)
    )
    if members[0].pk is None:  # databases that do not return ids from bulk inserts
        members = list(Member.objects.filter(last_name__startswith="Bench").order_by("pk"))[-n:]
    payments = []
    for i, member in enumerate(members):
        payments.append(
            Payment(
                member=member,
                year=year,
                method=PaymentMethod.CHEQUE,
                amount=Decimal("50.00"),
                received_on=datetime.date(year, 3, 1 + i % 28),
                cheque_number=str(1000000 + offset + i),
                bank="Crédit Coopératif",
            )
        )
        if i % 3 == 0:
            payments.append(
                Payment(
                    member=member,
                    year=year,
                    method=PaymentMethod.TRANSFER,
                    amount=Decimal("20.50"),
                    received_on=datetime.date(year, 11, 1 + i % 28),
                )
            )
    Payment.objects.bulk_create(payments, batch_size=1000)


def rss_mb(process):
    return process.memory_info().rss / 2**20


def main():
    n = int(os.environ.get("BENCH_N", "2000"))
    with tempfile.TemporaryDirectory(prefix="cac-bench-") as workdir:
        run(n, workdir)
        from tests.bench.bank import run_bank

        run_bank(
            int(os.environ.get("BENCH_BANK_LINES", "5000")),
            int(os.environ.get("BENCH_BANK_MEMBERS", "20000")),
        )


def run(n, workdir):
    setup_django(workdir, "receipts")

    import psutil
    from django.utils import timezone

    from receipts.models import AnnualBatch
    from receipts.services import issue_annual_receipts
    from receipts.services.rendering import html_to_pdf, receipt_html

    year = timezone.localdate().year - 1
    # A fiscal year of our own when DATABASE_URL points at a database that already has some.
    while AnnualBatch.objects.filter(fiscal_year=year).exists():
        year -= 1
    create_donors(n, year)

    # The engine alone renders each group's receipts right after the pipeline rendered them
    # (20 at a time, see `batch.GROUP`), so that both sides run under the same load of a
    # shared machine; that time is taken out of the pipeline's.
    from receipts.services import batch as batch_service

    real_ensure_pdfs = batch_service.ensure_pdfs
    engine = {"seconds": 0.0, "pages": 0, "aside": 0.0}

    def ensure_pdfs_then_engine_alone(receipts):
        rendered = real_ensure_pdfs(receipts)
        aside = time.perf_counter()
        pages = [receipt_html(receipt) for receipt in rendered]
        start = time.perf_counter()
        for html in pages:
            html_to_pdf(html)
        engine["seconds"] += time.perf_counter() - start
        engine["pages"] += len(pages)
        engine["aside"] += time.perf_counter() - aside
        return rendered

    batch_service.ensure_pdfs = ensure_pdfs_then_engine_alone

    process = psutil.Process()
    # Both sides start warm: the worker's stylesheet, fonts and templates are loaded once.
    html_to_pdf("<p>warm-up</p>")
    before = rss_mb(process)
    start = time.perf_counter()
    batch = issue_annual_receipts(year, actor=None)
    elapsed = time.perf_counter() - start - engine["aside"]
    after = rss_mb(process)
    batch.refresh_from_db()
    if batch.done != n or batch.failed:
        sys.exit(f"bench: the batch issued {batch.done}/{n}, {batch.failed} failed")

    pipeline_rate = n / elapsed
    engine_rate = engine["pages"] / engine["seconds"]
    out = sys.stdout
    out.write(
        f"receipts: {n} in {elapsed:.1f} s, {pipeline_rate:.1f}/s; "
        f"engine alone {engine_rate:.1f}/s; ratio={pipeline_rate / engine_rate:.2f}\n"
    )
    out.write(
        f"worker memory (RSS): {before:.1f} MB before, {after:.1f} MB after "
        f"({after - before:+.1f} MB over {n} receipts)\n"
    )

    from tests.bench import exports

    exports.run(n, out, lambda: rss_mb(process))


if __name__ == "__main__":
    main()
