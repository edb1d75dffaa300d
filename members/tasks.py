"""Celery tasks of members: thin wrappers around its services, queued by name."""

from celery import shared_task

from members import personal_data, retention


@shared_task(name="members.tasks.build_personal_data", acks_late=True)
def build_personal_data(member_id, user_id):
    """A large download of one's data: built here, its link emailed."""
    personal_data.build_and_send(member_id, user_id)


@shared_task(name="members.tasks.apply_retention", acks_late=True)
def apply_retention():
    """The daily run of the retention periods (beat); a second run the same day finds
    nothing more to do."""
    retention.apply(actor=None)
