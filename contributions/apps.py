from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "Cotisations et prélèvements"
    default_auto_field = "django.db.models.BigAutoField"
