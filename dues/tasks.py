"""Celery tasks of dues: thin, idempotent wrappers around its services."""

import logging

from celery import shared_task

from dues.services import imports

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
