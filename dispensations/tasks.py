import logging

from celery import shared_task
from django.utils import timezone

from .services import (
    dispensations_end_due,
    dispensations_remind_end,
    dispensations_request_rejustification,
    dispensations_start_due,
)

logger = logging.getLogger(__name__)


@shared_task
def dispensations_daily() -> dict[str, int]:
    """Runs hourly from beat; each step sends a message once per key, so reruns are
    harmless and a missed day is caught up."""
    today = timezone.localdate()
    counts = {
        "started": dispensations_start_due(today=today),
        "end_reminders": dispensations_remind_end(today=today),
        "ended": dispensations_end_due(today=today),
        "rejustification_requests": dispensations_request_rejustification(today=today),
    }
    logger.info("dispensations_daily %s", counts)
    return counts
