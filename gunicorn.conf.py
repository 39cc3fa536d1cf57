"""gunicorn's settings, read from the working directory (``gunicorn mutuelle.wsgi``).

Its lines look like Django's (time, level, logger) and its access line carries the
request id and client address that ``mutuelle.middleware.RequestIdMiddleware`` put in
the WSGI environ, so one id links the access line, the Django lines and the Celery
tasks of a request. Workers: ``--workers`` or ``WEB_CONCURRENCY`` (gunicorn's own).
"""

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
