from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "Remboursements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .services.requests import register_request_kinds

        register_request_kinds()
