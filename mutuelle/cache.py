"""The two caches of the site: Redis in production, files under ``var/`` otherwise.

``FallbackRedisCache``: the login limits live in the cache; with a plain ``RedisCache``
an unreachable Redis turns the login form into a server error. Here each operation that
cannot reach Redis is logged and served by a memory cache of the process instead — the
limits still apply, per process, until Redis answers again.

``EmbeddedFileCache``: the embedded default's cache, shared by the web processes and the
worker through files.
"""

import logging
from functools import wraps
from time import monotonic

from django.core.cache.backends.filebased import FileBasedCache
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


class EmbeddedFileCache(FileBasedCache):
    """Django's file cache, tidied at most once every ``TIDY_EVERY_SECONDS`` by each of
    its objects (Django makes one per thread).

    Django's version lists the whole folder on every write to count its entries: 1.4 ms
    of CPU with 260 files, and a login writes the rate-limit counters (with their locks)
    eleven times, a quarter of the login's time in ``make loadtest``. When it is over
    ``MAX_ENTRIES`` it also deletes a random third of the entries, live ones included
    (login failure counters among them) while expired ones may stay. Here a tidy-up
    first deletes the expired entries, then a random share only if the live ones are
    still over the limit; between two tidy-ups the folder can grow by what is written
    meanwhile."""

    TIDY_EVERY_SECONDS = 30

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._next_tidy = 0.0

    def _cull(self):
        now = monotonic()
        if now < self._next_tidy:
            return
        self._next_tidy = now + self.TIDY_EVERY_SECONDS
        for name in self._list_cache_files():
            try:
                with open(name, "rb") as entry:
                    self._is_expired(entry)  # deletes it when expired
            except FileNotFoundError:  # deleted meanwhile by another process
                pass
        super()._cull()
