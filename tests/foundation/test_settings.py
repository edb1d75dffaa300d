"""Start-up fails loudly, naming the variable, when the environment is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# slow: each test starts Django afresh in a process of its own
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "production-secret-for-the-deploy-check",
    "ALLOWED_HOSTS": "adhesion.example.org",
    "DATABASE_URL": "sqlite:////tmp/cac-deploy-check.sqlite3",
    "EMAIL_URL": "smtp://user:pass@smtp.example.org:587/?tls=1",
}


def run_manage(*args, **env):
    inherited = {
        *PRODUCTION,
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "MEDIA_ROOT",
    }
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY is not set"),
        ({"DEBUG": "0", "SECRET_KEY": "s" * 50}, "ALLOWED_HOSTS is not set"),
        (
            {"DATABASE_URL": "mysql://root@localhost/cac"},
            "DATABASE_URL='mysql://root@localhost/cac'",
        ),
        ({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL='pigeon://loft'"),
        (
            {"CELERY_BATCH_CHUNK_SIZE": "many"},
            "CELERY_BATCH_CHUNK_SIZE='many' is not a whole number",
        ),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL='memcached://cache:11211'"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT='one' is not a whole number"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT=-1"),
        ({"ADHESION_RATE_LIMIT": "lots"}, "ADHESION_RATE_LIMIT='lots'"),
    ],
)
def test_bad_environment_stops_start_up_naming_the_variable(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_nothing_set_runs_on_sqlite_with_eager_tasks_and_console_email():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.EMAIL_BACKEND, s.MEDIA_ROOT)",
    )
    assert result.returncode == 0, result.stderr
    engine, eager, email, media = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"
    assert email.endswith("console.EmailBackend")
    assert media == str(ROOT / "media")


def test_environment_overrides_database_broker_email_and_media(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_USE_TLS, s.MEDIA_ROOT)",
        DATABASE_URL="postgres://cac@db.example.org:5432/cacprod",
        CELERY_BROKER_URL="redis://broker.example.org:6379/0",
        EMAIL_URL="smtp://user:pass@smtp.example.org:587/?tls=1",
        MEDIA_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "cacprod",
        "False",
        "redis://broker.example.org:6379/0",
        "smtp.example.org",
        "587",
        "True",
        str(tmp_path),
    ]


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def cache_settings(**env):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION', '-'), "
        "s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ADHESION_RATE_LIMIT, "
        "s.CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY)",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_nothing_set_caches_in_local_memory_and_trusts_no_proxy():
    backend, _, proxies, allauth_proxies, rate, emails = cache_settings()
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert (proxies, allauth_proxies, rate, emails) == ("0", "0", "5/10m", "3")


def test_a_redis_cache_url_shares_the_cache_through_redis():
    backend, location, proxies, allauth_proxies, rate, emails = cache_settings(
        CACHE_URL="redis://cache.example.org:6379/1",
        TRUSTED_PROXY_COUNT="1",
        ADHESION_RATE_LIMIT="20/h",
        CONFIRMATION_EMAILS_PER_ADDRESS_PER_DAY="5",
    )
    assert backend == "cac_portal.cache.OutageTolerantRedisCache"
    assert location == "redis://cache.example.org:6379/1"
    assert (proxies, allauth_proxies, rate, emails) == ("1", "1", "20/h", "5")


def test_production_settings_with_redis_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CACHE_URL="redis://cache.example.org:6379/1",
        TRUSTED_PROXY_COUNT="1",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
