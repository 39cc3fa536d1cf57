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
# shared by all of them: the next request goes to whichever process is free, never into
# the queue of a busy one. A page is CPU-bound Python (one core per process whatever its
# threads, because of the GIL), so the processes behave as one queue served by all of
# them rather than one queue each. In ``make loadtest`` (2 processes, 2 cores, 37
# requests/s) p95 went from 180–220 ms to 120 ms:
# - with a socket per process (``reuse_port``), the kernel hands each new connection to
#   a process by a hash, busy or not;
# - with a shared socket, a threaded worker still accepts up to ``worker_connections``
#   (1,000) connections, and its extra threads only share its one core;
# - gunicorn's « sync » worker, which also accepts only when free, measured 180–200 ms.
# Hence: threads per process ``GUNICORN_THREADS`` (default 1), as many connections as
# threads, and no keep-alive (an idle kept-alive connection would hold the slot). In
# production a TLS proxy sits in front (README): it buffers slow clients (a phone on a
# poor network) and opens a connection to gunicorn per request (nginx's default), so
# only whole requests reach a process. A connection that sends nothing for 5 s is set
# aside by the worker and closed. More capacity: more processes (one per core), or
# more web containers. Each thread opens its own database connection (Django's are per
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
