"""The request id and client address of the current request, for every log line.

Kept in context variables (set by :class:`mutuelle.middleware.RequestIdMiddleware`),
added to each log record by :class:`RequestContextFilter`, and carried to the Celery
tasks a request queues in a task header, so that a worker's lines about a task say
which request asked for it. This module imports nothing of Django's models: the logging
configuration loads it before the apps are ready.
"""

import contextvars
import logging
import time

from celery import signals
from django.core.signals import request_finished

NONE = "-"
TASK_HEADER = "request_id"

request_id_var = contextvars.ContextVar("request_id", default=NONE)
client_ip_var = contextvars.ContextVar("client_ip", default=NONE)


class UTCFormatter(logging.Formatter):
    """ISO 8601 times in UTC (``2026-11-30T08:40:53.191Z``): no doubt across servers or
    at a daylight-saving change."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``client_ip`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.client_ip = client_ip_var.get()
        return True


@request_finished.connect
def _forget_request(**kwargs):
    # Not reset by the middleware itself: Django logs a 4xx/5xx response after the
    # middleware has returned, and that line needs the id too.
    request_id_var.set(NONE)
    client_ip_var.set(NONE)


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    request_id = request_id_var.get()
    if headers is not None and request_id != NONE:
        headers.setdefault(TASK_HEADER, request_id)


@signals.task_prerun.connect
def _receive_request_id(task=None, **kwargs):
    # Celery exposes a message's custom headers as attributes of ``task.request``. An
    # eager task (no message) keeps the id of the request it runs in.
    request_id = getattr(task.request, TASK_HEADER, None)
    if request_id:
        task.request.request_id_token = request_id_var.set(request_id)


@signals.task_postrun.connect
def _forget_request_id(task=None, **kwargs):
    token = getattr(task.request, "request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
        task.request.request_id_token = None
