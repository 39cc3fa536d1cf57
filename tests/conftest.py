import pytest
from django.core.cache import cache

from mutuelle.celery import app as celery_app


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    """Each test: empty cache (rate limits), private files in a temp folder, eager tasks."""
    cache.clear()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": "/fichiers-prives/"},
        },
    }
    settings.SMS_BACKEND = "mutuelle.sms.OutboxSmsBackend"
    celery_app.conf.task_always_eager = True
    yield
    cache.clear()
