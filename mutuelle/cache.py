"""A Redis cache that keeps the site up while Redis is down.

The login limits live in the cache: with a plain ``RedisCache`` an unreachable Redis
turns the login form into a server error. Here each operation that cannot reach Redis
is logged and served by a memory cache of the process instead — the limits still
apply, per process, until Redis answers again.
"""

import logging
from functools import wraps

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FALLBACK_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


def _with_fallback(name):
    redis_operation = getattr(RedisCache, name)

    @wraps(redis_operation)
    def operation(self, *args, **kwargs):
        try:
            return redis_operation(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.error("Redis injoignable (%s) : cache local du processus utilisé.", exc)
            return getattr(self.fallback, name)(*args, **kwargs)

    return operation


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback = LocMemCache(f"redis-fallback-{server}", {"TIMEOUT": self.default_timeout})


for _name in FALLBACK_OPERATIONS:
    setattr(FallbackRedisCache, _name, _with_fallback(_name))
