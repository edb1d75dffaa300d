"""Celery tasks of dues: thin, idempotent wrappers around its services."""

import logging

from celery import shared_task

from dues.models import Pledge
from dues.services import confirmations, imports, reminders

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


@shared_task(name="dues.tasks.send_pledge_confirmation", acks_late=True)
def send_pledge_confirmation(pledge_id):
    """A pledge's confirmation email, sent by a worker after the form's response: the person
    does not wait for the mail server. Gone pledges (deleted since) are skipped."""
    pledge = Pledge.objects.select_related("member", "matched_member").filter(pk=pledge_id).first()
    if pledge is None:
        logger.warning("confirmation email for pledge %s not sent: no such pledge", pledge_id)
        return False
    return confirmations.send_pledge_confirmation(pledge)
