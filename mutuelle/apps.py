from django.apps import AppConfig


class MutuelleConfig(AppConfig):
    name = "mutuelle"
    verbose_name = "Mutuelle (socle)"
    default_auto_field = "django.db.models.BigAutoField"
