"""What the public pages read on every request but an administrator changes once a year (the
collective's identity, the charter and privacy notice in force, the dues scales), kept in each
process's memory between requests, and dropped everywhere when one of them changes.

- `remember(name, compute)`: the value of `compute()` for `name`, computed once per process for
  the current *generation* and day (a text in force tomorrow is in force without an edit).
- `changed()`: called (on commit) when a row of those tables is saved or deleted; it gives the
  shared cache a new generation, so that every gunicorn process and machine computes again.

The generation is read from the shared cache once per request (a request started resets it),
and at every call outside requests (tasks, the shell): one cache read, never a query.
Values are shared by the requests of a process: read them, never change them.
"""

import logging
import threading
import uuid

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils import timezone

from cac_portal.cache import UNREACHABLE

logger = logging.getLogger(__name__)

GENERATION_KEY = "published:generation"

_memo = {}
_local = threading.local()


def _read_generation():
    """The shared generation; None while the shared cache cannot be reached (then nothing is
    kept: a change made meanwhile could not reach the other processes)."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            value = cache.get(GENERATION_KEY)
    except UNREACHABLE:
        logger.warning("cache unreachable: published texts read from the database", exc_info=True)
        return None
    return value


def generation():
    """The current generation: read once per request, at every call outside one."""
    if not getattr(_local, "in_request", False):
        return _read_generation()
    if not getattr(_local, "generation_read", False):
        _local.generation = _read_generation()
        _local.generation_read = True
    return _local.generation


def remember(name, compute):
    """`compute()`, computed once per process for this generation and day."""
    current = generation()
    if current is None:
        return compute()
    key = (name, current, timezone.localdate())
    try:
        return _memo[key]
    except KeyError:
        pass
    value = compute()
    # Older generations and days are never asked for again: forget them.
    for old in [k for k in _memo if k[0] == name]:
        del _memo[old]
    _memo[key] = value
    return value


def _forget():
    _memo.clear()
    _local.generation_read = False


def _bump():
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except UNREACHABLE:
        logger.error("cache unreachable: other processes keep the published texts", exc_info=True)
    _forget()


def changed(**kwargs):
    """A receiver for post_save / post_delete of the published tables: once the change is
    committed (else another process could read the old rows for the new generation)."""
    _forget()
    transaction.on_commit(_bump)


def _request_started(**kwargs):
    _local.in_request = True
    _local.generation_read = False


def _request_finished(**kwargs):
    _local.in_request = False
    _local.generation_read = False


request_started.connect(_request_started, dispatch_uid="published.request_started")
request_finished.connect(_request_finished, dispatch_uid="published.request_finished")
