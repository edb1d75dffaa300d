from django.core.management.base import BaseCommand

from receipts.services.register import write_register


class Command(BaseCommand):
    help = (
        "Write the register of the receipts numbered in YEAR as CSV "
        "(number, date of issue, kind, fiscal article, year of the gifts, donor, amount, status, "
        "cancelled on, reason, replaces, replaced by)."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, year, output=None, **options):
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                write_register(year, stream)
        else:
            write_register(year, self.stdout)
