from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

import charter.defaults
import dues.defaults
from cac_portal import groups


class Command(BaseCommand):
    help = (
        "Load the CAC's defaults: identity, 2018 charter, privacy notice, the brochure's scales "
        "for this year and the next, the staff and treasurer groups. Idempotent: it only "
        "creates what is missing and never overwrites an administrator's edits, except the "
        "two groups' permissions, set to exactly their lists (cac_portal/groups.py) at each run."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        year = timezone.localdate().year
        created = charter.defaults.load()
        created += [f"scale {y}" for y in (year, year + 1) if dues.defaults.load(y)]
        created += [f"group {name}" for name in groups.load()]
        if created:
            self.stdout.write(self.style.SUCCESS("Created: " + ", ".join(created)))
        else:
            self.stdout.write("CAC defaults already loaded: nothing to do.")
