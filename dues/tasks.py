"""Celery tasks of dues: thin, idempotent wrappers around its services."""

import logging

from celery import shared_task

from dues.services import imports, reminders

logger = logging.getLogger(__name__)


@shared_task(name="dues.tasks.run_member_import", acks_late=True)
def run_member_import(import_id):
    """A big import of members, group by group; a second delivery resumes where it stopped
    (the groups done were committed with the progress) or finds it finished."""
    try:
        imports.run_import(import_id)
    except Exception as error:
        logger.exception("member import %s failed", import_id)
        imports.fail(import_id, error)
        raise


@shared_task(name="dues.tasks.send_renewal_reminders", acks_late=True)
def send_renewal_reminders():
    """The daily renewal reminders: each step decided once (a row per member, campaign and
    step), so a second beat, two workers or a retry send nothing more."""
    run = reminders.send_reminders()
    for year, problems in run.skipped:
        logger.warning("renewal reminders %s not sent: %s", year, " ".join(problems))
    return {"decided": run.decided, "sent": run.sent, "failed": run.failed}


@shared_task(name="dues.tasks.sweep_renewal_reminders", acks_late=True)
def sweep_renewal_reminders():
    """The reminders' emails a crash left queued or a temporary failure deferred."""
    return reminders.sweep()
