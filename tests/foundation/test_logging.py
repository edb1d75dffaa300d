"""The logs as the person on call reads them: one line per event, a traceback for a server
error only. Run in a fresh process, as the portal starts, with its own logging settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

# As Django logs a refused request and a server error (django.utils.log.log_response, the
# function its exception handler calls), with the portal's logging settings applied as at start.
SCRIPT = """
import logging
import sys
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import configure_logging, log_response

configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
request = RequestFactory().get("/gestion/")
for error, status, message in (
    (PermissionDenied(), 403, "Forbidden (Permission denied): %s"),
    (ValueError("the bug to read"), 500, "Internal Server Error: %s"),
):
    try:
        raise error
    except Exception as exc:
        response = HttpResponse(status=status)
        log_response(message, request.path, response=response, request=request, exception=exc)
logging.getLogger("receipts").warning("one event")
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_one_line_per_event_and_a_traceback_only_for_a_server_error(debug):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cac_portal.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DEBUG": debug,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    log = result.stderr
    assert result.returncode == 0, log
    assert log.count("Forbidden (Permission denied): /gestion/") == 1
    assert log.count("Internal Server Error: /gestion/") == 1
    assert log.count("one event") == 1
    refused, _, error = log.partition("Internal Server Error")
    assert "Traceback" not in refused, "no traceback for a 403"
    assert "Traceback" in error and "ValueError: the bug to read" in error
