"""gunicorn's settings, read from the working directory (``gunicorn mutuelle.wsgi``).

Its lines look like Django's (time, level, logger) and its access line carries the
request id and client address that ``mutuelle.middleware.RequestIdMiddleware`` put in
the WSGI environ, so one id links the access line, the Django lines and the Celery
tasks of a request. Processes: ``WEB_CONCURRENCY`` (gunicorn's own variable, default 2)
or ``--workers``; threads per process: ``GUNICORN_THREADS`` (default 4).
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threaded workers, not gunicorn's default « sync » ones. A sync worker closes every
# connection after one response (no keep-alive: each page and each asset pays a new TCP
# and TLS handshake) and is held by one slow client for as long as it sends or reads —
# a phone on a poor network, or the handshake itself — while the other requests wait.
# A gthread worker keeps idle connections open ``keepalive`` seconds in its event loop
# and serves requests on ``threads`` threads, so one slow client holds one thread. In
# production a proxy sits in front (TLS, X-Forwarded-For): it keeps its own connections
# to gunicorn alive, which is why keep-alive is a few seconds, longer than gunicorn's 2.
# Each thread opens its own database connection (Django's are per thread): PostgreSQL
# must accept WEB_CONCURRENCY × GUNICORN_THREADS per web container (README).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# One listening socket per worker (SO_REUSEPORT): the kernel spreads new connections
# over the workers. On one shared socket, whichever worker woke first accepted them, and
# a kept-alive connection stays with its worker: in ``make loadtest``, when each user
# kept one connection, one worker served four to five times the requests of the other
# (its core saturated, the other half idle; p95 430–710 ms, then 230–330 ms once
# spread). A proxy's pooled connections to gunicorn pile up the same way.
reuse_port = True

accesslog = "-"
access_log_format = (
    "request_id=%({mutuelle.request_id}e)s client=%({mutuelle.client_ip}e)s "
    '"%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "operator": {
            "class": "mutuelle.request_context.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "operator"}},
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
# gunicorn 27's control socket sits at one path per user: several instances on a host
# (two web processes, a load test next to the site) would take it from each other.
control_socket_disable = True
