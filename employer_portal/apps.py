from django.apps import AppConfig


class EmployerPortalConfig(AppConfig):
    name = "employer_portal"
    verbose_name = "Espace entreprise"
    default_auto_field = "django.db.models.BigAutoField"
