from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = "Affiliations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import provisional  # noqa: F401  (connects the must-change signals)

        # Registers the mobile-change declaration with the SMS-code signature and
        # records password changes in the member's history, in every process.
        from .services import profile  # noqa: F401
