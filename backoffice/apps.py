from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The back office's own pages around the Django admin (its home's queues). Same
    floor as the two spaces: it reads every domain app, none reads it."""

    name = "backoffice"
    verbose_name = "Back-office"
    default_auto_field = "django.db.models.BigAutoField"
