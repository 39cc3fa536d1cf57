"""Health endpoint (``/sante/``) for the compose healthchecks and load balancers."""

import dataclasses

from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from .celery import app as celery_app


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection (Redis, or the local filesystem transport).

    django-health-check's Celery check pings the *workers*: the web process would then be
    « unhealthy » whenever the workers are busy or restarting, although it can still queue
    tasks. Workers have their own healthcheck (``celery inspect ping``)."""

    def run(self):
        try:
            with celery_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # kombu raises its transport's own error types
            raise ServiceUnavailable("Broker Celery injoignable") from exc


health = HealthCheckView.as_view(
    checks=[
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        CeleryBroker,
    ]
)
