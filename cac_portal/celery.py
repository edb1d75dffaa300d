"""The Celery app: tasks acknowledged after they ran, so a worker that dies gives its task back.

The beat schedule is here, in one place: the January batch, the receipts' sweep, the retention
of personal data, the renewal reminders and their sweep. The tasks
themselves are found in each app's ``tasks.py``.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac_portal.settings")

app = Celery("cac_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 3600},
    timezone="Europe/Paris",
    beat_schedule={
        # The individuals' yearly receipts, from 2 January for the year just ended.
        "receipts-annual-batch": {
            "task": "receipts.tasks.start_annual_batch",
            "schedule": crontab(minute=0, hour=6, day_of_month=2, month_of_year=1),
        },
        # Whatever a down broker or a crashed worker left undone: receipts, PDFs, emails.
        "receipts-sweep": {
            "task": "receipts.tasks.sweep_receipts",
            "schedule": crontab(minute="*/5"),
        },
        # Personal data past its period: members warned then erased, old receipts and
        # payments without their personal fields (members.retention).
        "members-retention": {
            "task": "members.tasks.apply_retention",
            "schedule": crontab(minute=30, hour=3),
        },
        # Renewal reminders: the step due today of each open campaign, once a day.
        "dues-renewal-reminders": {
            "task": "dues.tasks.send_renewal_reminders",
            "schedule": crontab(minute=0, hour=9),
        },
        # Their emails left queued by a crash or deferred by a temporary failure.
        "dues-renewal-reminders-sweep": {
            "task": "dues.tasks.sweep_renewal_reminders",
            "schedule": crontab(minute="*/15"),
        },
    },
)
app.autodiscover_tasks()
