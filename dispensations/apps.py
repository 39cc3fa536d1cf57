from django.apps import AppConfig


class DispensationsConfig(AppConfig):
    name = "dispensations"
    verbose_name = "Dispenses d'adhésion"
    default_auto_field = "django.db.models.BigAutoField"
