"""Handing work to the Celery workers once the transaction commits, by the task's name.

Services never import tasks (tasks call services): they queue work here by name, and the task
runs only after the rows it reads are committed. A broker that cannot be reached must not undo
what the person just saved (a cheque recorded at the desk), so that one failure is logged and
left to the periodic sweep; every other error raises, so a bug is never hidden. The page that
did the work can ask whether something stayed behind (`watch`) and say so.
"""

import contextlib
import contextvars
import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from cac_portal.celery import app

logger = logging.getLogger(__name__)

_undelivered = contextvars.ContextVar("undelivered", default=None)


def enqueue(name, *args):
    """Send the task `name` with `args` once the current transaction commits (at once outside
    one). Without a broker (`make run`, tests) the task runs in-process."""
    task = app.tasks[name]  # an unknown name is a bug: raise now, inside the caller

    def send():
        try:
            task.apply_async(args=args)
        except OperationalError:
            logger.warning("broker unreachable: %s%r left to the sweep", name, args, exc_info=True)
            pending = _undelivered.get()
            if pending is not None:
                pending.append(name)

    transaction.on_commit(send)


@contextlib.contextmanager
def watch():
    """Collect the names of the tasks that could not be queued while the block ran (and its
    transactions committed): `with watch() as undelivered: ...; if undelivered: warn`."""
    pending = []
    token = _undelivered.set(pending)
    try:
        yield pending
    finally:
        _undelivered.reset(token)
