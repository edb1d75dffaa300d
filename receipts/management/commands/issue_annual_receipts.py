import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from receipts.models import AnnualBatch
from receipts.services import issue_annual_receipts


class Command(BaseCommand):
    help = "Issue the yearly fiscal receipts of individuals for YEAR (only what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the year of the payments, e.g. 2025")
        parser.add_argument(
            "--no-wait", action="store_true", help="queue the batch and return at once"
        )
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait at most")

    def handle(self, year, no_wait=False, timeout=3600, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a plausible year")
        try:
            batch = issue_annual_receipts(year, actor=None)
        except ValidationError as refusal:
            raise CommandError(" ".join(refusal.messages)) from None
        self.stdout.write(f"batch {year}: {batch.queued} receipt(s) to issue")
        if no_wait:
            return
        deadline = time.monotonic() + timeout
        last = None
        while True:
            batch = AnnualBatch.objects.get(pk=batch.pk)
            done = batch.done
            state = (done, batch.failed, batch.status)
            if state != last:
                self.stdout.write(
                    f"{done}/{batch.total} issued, {batch.failed} failed ({batch.percent(done)} %)"
                )
                last = state
            if batch.status == AnnualBatch.Status.DONE:
                break
            if time.monotonic() > deadline:
                raise CommandError("still running; follow it on /tresorerie/")
            time.sleep(1)
        if batch.failed:
            self.stderr.write(f"{batch.failed} failed: {batch.last_error}; run it again later")
        self.stdout.write(self.style.SUCCESS(f"batch {year} done"))
