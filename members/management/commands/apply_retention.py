import datetime

from django.core.management.base import BaseCommand, CommandError

from members import retention


class Command(BaseCommand):
    help = (
        "Apply the retention periods of personal data (what the daily beat task does): warn the "
        "members whose contact data will be erased, erase those whose period ran out, blank the "
        "personal fields of old receipts and payments. --dry-run prints what it would do and "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing, say what")
        parser.add_argument("--date", help="the day to apply (YYYY-MM-DD), today by default")

    def handle(self, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not YYYY-MM-DD") from None
        dry_run = options["dry_run"]
        result = retention.apply(today, dry_run=dry_run, actor=None)
        verb = "would" if dry_run else "did"
        self.stdout.write(f"retention on {result.today.isoformat()} ({verb}):")
        for member in result.warn:
            self.stdout.write(
                f"  warn {member.reference} (erased on {retention.erasure_day(member)})"
            )
        for member in result.erase:
            self.stdout.write(f"  erase the contact data of {member.reference}")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name}: {count}")
        if dry_run:
            self.stdout.write("dry run: nothing was changed")
