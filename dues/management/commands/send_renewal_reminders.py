from django.core.management.base import BaseCommand
from django.utils import timezone

from dues.services import reminders


class Command(BaseCommand):
    help = (
        "Decide and send today's renewal reminders (what the daily beat task does); with "
        "--dry-run, list who would get which step and send nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")

    def handle(self, dry_run=False, **options):
        today = timezone.localdate()
        if not dry_run:
            run = reminders.send_reminders(today=today)
            for year, problems in run.skipped:
                self.stderr.write(f"{year}: {' '.join(problems)}")
            self.stdout.write(f"{run.decided} decided, {run.sent} sent, {run.failed} failed")
            return
        for campaign in reminders.due_campaigns(today):
            found = reminders.problems(campaign)
            if found:
                self.stdout.write(f"{campaign.year}: {' '.join(found)}")
                continue
            decisions = reminders.decisions(campaign, today)
            self.stdout.write(f"{campaign.year}: {len(decisions)} reminder(s) due")
            for decision in decisions:
                self.stdout.write(
                    f"{decision.member.reference}\tstep {decision.step}\t{decision.amount}\t"
                    + ", ".join(decision.recipients)
                )
