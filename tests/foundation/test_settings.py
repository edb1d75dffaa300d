"""Start-up fails loudly, naming the variable, when the environment is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "production-secret-for-the-deploy-check",
    "ALLOWED_HOSTS": "adhesion.example.org",
    "DATABASE_URL": "sqlite:////tmp/cac-deploy-check.sqlite3",
    "EMAIL_URL": "smtp://user:pass@smtp.example.org:587/?tls=1",
}


def run_manage(*args, **env):
    inherited = {*PRODUCTION, "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "MEDIA_ROOT"}
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
