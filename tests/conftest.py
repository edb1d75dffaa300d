"""Shared fixtures: the CAC defaults, the five kinds of visitor, Celery and the browser.

REQUIRE_POSTGRES=1 and REQUIRE_BROWSER=1 (set by .ci/run) turn "this machine lacks X" into a
failure instead of a skip, so CI proves the production stack.
"""

import os
import shutil

import pytest
import time_machine
from django.core.management import call_command

from cac_portal.celery import app as celery_app
from cac_portal.groups import STAFF, TREASURER
from tests import clock

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _required(name):
    return os.environ.get(name, "") not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """No persistent connections in tests: the live server's request threads would keep the
    test database open and PostgreSQL could not drop it at the end."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """At the end, end the sessions that threads and subprocesses (live server, Celery worker)
    left on the PostgreSQL test database, so that it can be dropped."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


def pytest_collection_modifyitems(items):
    """A real browser or a real worker is slow by nature: `make test-fast` leaves them out."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("celery_worker"):
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):
    return f"clock: {clock.NOW.isoformat()} (TEST_NOW), {clock.TODAY} in Paris"


@pytest.fixture(autouse=True)
def _one_clock(request):
    """Every test starts at the suite's one instant (tests/clock.py) and time moves on from
    there, the same for the code and the test; `real_clock("why")` opts out."""
    marker = request.node.get_closest_marker("real_clock")
    if marker:
        if not marker.args or not str(marker.args[0]).strip():
            pytest.fail("@pytest.mark.real_clock needs its reason: real_clock('why')")
        yield
        return
    with time_machine.travel(clock.NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test writes its files (receipts' PDFs) in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = settings.MEDIA_ROOT / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_ROOT), "base_url": "/private-not-served/"},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the rate limits count in it (local memory, or the
    Redis database of CACHE_URL when the suite runs against Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless the test is about the real worker and broker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if not request.node.get_closest_marker("postgres"):
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        if _required("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES=1 but the tests do not run on PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


def pytest_sessionstart(session):
    if _required("REQUIRE_POSTGRES") and not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        pytest.exit(
            "REQUIRE_POSTGRES=1 but DATABASE_URL does not point at PostgreSQL", returncode=2
        )


@pytest.fixture
def cac(db):
    """The CAC defaults as `make run` loads them: identity, charter, scales, groups."""
    call_command("load_cac_defaults", verbosity=0)
    from django.core.files.base import ContentFile

    from charter.models import Collective
    from tests.helpers import image_bytes

    collective = Collective.load()
    # Fiscal receipts need what the defaults cannot know: the RNA and the signature, which the
    # treasurer enters on /tresorerie/parametres-fiscaux/.
    collective.rna = "W751234567"
    collective.signature.save("signature.png", ContentFile(image_bytes("PNG")), save=False)
    collective.save(update_fields=["rna", "signature"])
    return collective


def _user(django_user_model, email, groups=(), **extra):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=email, email=email, password="correct horse battery staple", **extra
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def member_user(cac, django_user_model):
    """A person with an account and an individual member record."""
    from tests.factories import IndividualFactory

    user = _user(django_user_model, "adherente@example.org")
    IndividualFactory(user=user, email=user.email, first_name="Anne", last_name="Adhérente")
    return user


@pytest.fixture
def stranger_user(cac, django_user_model):
    """A logged-in person with a member record of their own, who must not see others' data."""
    from tests.factories import IndividualFactory

    user = _user(django_user_model, "autre@example.org")
    IndividualFactory(user=user, email=user.email, first_name="Octave", last_name="Autre")
    return user


@pytest.fixture
def staff_user(cac, django_user_model):
    return _user(django_user_model, "secretariat@example.org", groups=[STAFF])


@pytest.fixture
def treasurer_user(cac, django_user_model):
    return _user(django_user_model, "tresorier@example.org", groups=[TREASURER])


@pytest.fixture
def superuser(cac, django_user_model):
    return _user(django_user_model, "admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def chromium_path():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if _required("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (CI installs it)")
    return CHROMIUM


@pytest.fixture
def csp_violations():
    """What the browser refused under the Content-Security-Policy during the test."""
    return []


@pytest.fixture
def page(chromium_path, live_server, monkeypatch, csp_violations):
    """A Playwright page in Debian's chromium, in French, against the live test server.

    The browser's Content-Security-Policy refusals are collected in `csp_violations`; a test
    that leaves one there fails at teardown, so every browser flow proves its pages' scripts
    run under the policy."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # alongside it are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="fr-FR", base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.on(
            "console",
            lambda message: (
                csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page = context.new_page()
        yield page
        context.close()
        browser.close()
    assert csp_violations == [], "the Content-Security-Policy refused: " + "; ".join(csp_violations)
