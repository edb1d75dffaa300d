"""Typed readers of the environment for the settings module.

Every reader names the variable in its error, so a bad value stops start-up with a message the
person deploying can act on (``DEBUG=maybe`` → "DEBUG must be one of ...").
"""

import os
import re
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {', '.join(sorted(TRUE_WORDS))} "
        f"or {', '.join(sorted(w for w in FALSE_WORDS if w))}."
    )


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_count(name, default):
    """A whole number of at least zero (a count of proxies, of emails...)."""
    value = env_int(name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name}={value} must be zero or more.")
    return value


RATE = re.compile(r"^[1-9][0-9]*/[0-9]*[smhd]$")


def env_rate(name, default):
    """A rate as django-ratelimit reads it: "5/10m" is five per ten minutes (s, m, h or d)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not RATE.match(value):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate: write a count, a slash and a period, "
            "e.g. 5/10m (five per ten minutes), 20/h or 100/d."
        )
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name, default):
    """Parse ``DATABASE_URL`` with dj-database-url; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises bare ValueErrors on unknown schemes
        raise ImproperlyConfigured(f"{name}={raw!r} is not a database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"{name}={raw!r}: only sqlite:/// and postgres:// URLs are supported."
        )
    if engine.endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    return config


EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def _smtp(name, raw, url):
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    try:
        port = url.port
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: the port is not a number.") from None
    return {
        "EMAIL_HOST": url.hostname or "localhost",
        "EMAIL_PORT": port or {"smtps": 465, "submission": 587}.get(url.scheme, 25),
        "EMAIL_HOST_USER": unquote(url.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
        "EMAIL_USE_SSL": url.scheme == "smtps",
        "EMAIL_USE_TLS": url.scheme == "submission" or query.get("tls", "").lower() in TRUE_WORDS,
    }


def env_email(name, default="console://"):
    """Parse ``EMAIL_URL``: ``console://``, ``smtp://user:password@host:587/?tls=1``, ``smtps://``."""
    raw = os.environ.get(name) or default
    url = urlparse(raw)
    if url.scheme not in EMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: the scheme must be one of {', '.join(sorted(EMAIL_BACKENDS))}."
        )
    settings = {"EMAIL_BACKEND": EMAIL_BACKENDS[url.scheme]}
    if url.scheme == "file":
        settings["EMAIL_FILE_PATH"] = url.path or "emails"
    if url.scheme in ("smtp", "submission", "smtps"):
        settings.update(_smtp(name, raw, url))
    return settings


def env_cache(name, default="locmem://"):
    """Parse ``CACHE_URL`` into the ``default`` cache: ``redis://host:6379/1`` (or ``rediss://``)
    for Django's Redis cache, shared by every process and machine; ``locmem://`` for a cache in
    each process's memory (enough for one process, as with `make run`)."""
    raw = os.environ.get(name) or default
    url = urlparse(raw)
    if url.scheme in ("redis", "rediss") and url.hostname:
        return {"BACKEND": "cac_portal.cache.OutageTolerantRedisCache", "LOCATION": raw}
    if url.scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url.netloc or "cac",
        }
    raise ImproperlyConfigured(
        f"{name}={raw!r}: use redis://host:6379/1 (shared by every process) or locmem:// "
        "(one process only)."
    )
