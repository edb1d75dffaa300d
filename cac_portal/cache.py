"""The shared cache, which holds counters (rate limits) and the generation of the published texts
(`cac_portal.published`): when Redis cannot be reached, the
site stays up and the counters stop counting for a while, rather than every login, sign-up and
form answering a server error. Each outage is logged."""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# What each call answers while the cache is unreachable: as if it were empty.
FALLBACKS = {
    "get": lambda key, default=None, *args, **kwargs: default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda *args, **kwargs: [],
    "add": lambda *args, **kwargs: True,
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: None,
    "incr": lambda key, delta=1, *args, **kwargs: delta,
}


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE:
            logger.warning("cache unreachable: %s() answered as if empty", name, exc_info=True)
            return fallback(*args, **kwargs)

    return call


class OutageTolerantRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is down."""


for _name, _fallback in FALLBACKS.items():
    setattr(OutageTolerantRedisCache, _name, _tolerant(_name, _fallback))
