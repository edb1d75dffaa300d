"""Rate limits counted in the shared cache, through django-ratelimit."""

import logging

from django_ratelimit.core import is_ratelimited

from cac_portal.cache import UNREACHABLE

logger = logging.getLogger(__name__)


def exceeded(request, *, group, key, rate):
    """Count one hit of `group` for `key` (django-ratelimit's key: "ip", or a callable of
    (group, request)) and say whether it goes past `rate` ("5/10m", or a callable).

    When the cache cannot be reached (Redis down), the hit goes through and the outage is
    logged: a limit against floods must not take the public form down with it. (The portal's
    own cache, `OutageTolerantRedisCache`, already answers as empty then; this covers any
    other backend an installation configures.)
    """
    try:
        return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
    except UNREACHABLE:
        logger.exception("rate limit %s not checked: the cache is unreachable", group)
        return False
