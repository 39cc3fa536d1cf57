"""Celery application.

With ``REDIS_URL`` set, tasks go through Redis to a worker and beat; without it (the
embedded default of ``make run``) they run eagerly in-process, so invitations are still
really sent.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutuelle.settings")

app = Celery("mutuelle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
