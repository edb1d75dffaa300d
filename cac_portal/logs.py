"""Logging: one line per event, a traceback only where there is a bug to read."""

import logging


class NoTracebackBelow500(logging.Filter):
    """A refused request (403, 404, 400) is an ordinary event, logged as one line: only a
    server error (5xx) keeps the traceback that explains it."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = record.exc_text = None
        return True
