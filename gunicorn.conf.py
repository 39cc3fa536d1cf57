"""gunicorn's settings, read from the working directory (``gunicorn mutuelle.wsgi``).

Its lines look like Django's (time, level, logger) and its access line carries the
request id and client address that ``mutuelle.middleware.RequestIdMiddleware`` put in
the WSGI environ, so one id links the access line, the Django lines and the Celery
tasks of a request. Processes: ``WEB_CONCURRENCY`` (gunicorn's own variable, default 2)
or ``--workers``; threads per process: ``GUNICORN_THREADS`` (default 1).
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A process takes a connection only when it has a free thread, from one listening socket
# shared by all of them: the next request goes to a process that can start it, never
# into the queue of a busy one. A page is Python on one core (the GIL): more threads per
# process only share that core, so one thread per process by default. Measured with
# ``make loadtest`` (2 processes, 2 cores, 37 requests/s, p95), the runs of each setting
# alternated because this machine's figures vary by a third from one run to the next:
# - one thread: SQLite 92–130 ms; PostgreSQL with Redis 130–180 ms (four runs);
# - four threads, as many connections: SQLite 150–170 ms; PostgreSQL with Redis
#   190–270 ms (four runs, each slower than the one-thread run next to it);
# - the previous setting, a socket per process (``reuse_port``: the kernel hands each
#   new connection to a process by a hash, busy or not) and four threads accepting up
#   to ``worker_connections`` (1,000) connections: SQLite 180–220 ms, PostgreSQL with
#   Redis 160–230 ms.
# No keep-alive: an idle kept-alive connection would hold the thread's place. In
# production a TLS proxy sits in front (README): it buffers slow clients (a phone on a
# poor network) and opens a connection to gunicorn per request (nginx's default), so
# only whole requests reach a process; a connection that sends nothing for 5 s is set
# aside by the worker and closed. More capacity: more processes (one per core) or more
# web containers. Each thread opens its own database connection (Django's are per
# thread): PostgreSQL must accept WEB_CONCURRENCY × GUNICORN_THREADS per web container.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_connections = threads
keepalive = 0
reuse_port = False

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
