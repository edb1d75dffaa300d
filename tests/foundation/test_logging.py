"""The logs as the person on call reads them: one line per event, a traceback for a server
error only. Run in a fresh process, as the portal starts, with its own logging settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = """
import logging
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)  # the error pages read the collective's name
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory

request = RequestFactory().get("/gestion/")
for error in (PermissionDenied(), ValueError("the bug to read")):
    try:
        raise error
    except Exception as exc:
        response_for_exception(request, exc)
logging.getLogger("receipts").warning("one event")
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_one_line_per_event_and_a_traceback_only_for_a_server_error(debug, tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
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
