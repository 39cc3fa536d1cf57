from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = "Affiliations"
    default_auto_field = "django.db.models.BigAutoField"
