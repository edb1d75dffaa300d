from django.core.management.base import BaseCommand, CommandError

from receipts.services.checks import damaged_originals, lines_outside_their_year


class Command(BaseCommand):
    help = (
        "Report the valid fiscal receipts holding gifts received in another year than theirs, "
        "and the stored PDFs missing or not matching their SHA-256. Changes nothing; exits with "
        "an error when something is reported."
    )

    def handle(self, **options):
        problems = 0
        for line in lines_outside_their_year():
            receipt = line.receipt
            self.stdout.write(
                f"{receipt.number} ({receipt.get_kind_display()}, year {receipt.fiscal_year}): "
                f"payment received on {line.received_on:%d/%m/%Y} ({line.amount} €) "
                f"belongs to {line.received_on.year}; cancel and reissue it"
            )
            problems += 1
        for receipt, damage in damaged_originals():
            self.stdout.write(f"{receipt.number}: {damage}")
            problems += 1
        if problems:
            raise CommandError(f"{problems} problem(s) found", returncode=1)
        self.stdout.write("no problem found")
