from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "Remboursements"
    default_auto_field = "django.db.models.BigAutoField"
