from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "enrolment"
    verbose_name = "Affiliations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import provisional  # noqa: F401  (connects the must-change signals)
        from .counts import enrolment_deleted, enrolment_saved
        from .models import Enrolment

        post_save.connect(enrolment_saved, sender=Enrolment, dispatch_uid="enrolment-counts")
        post_delete.connect(enrolment_deleted, sender=Enrolment, dispatch_uid="enrolment-counts")

        # Registers the mobile-change declaration with the SMS-code signature and
        # records password changes in the member's history, in every process.
        from .services import profile  # noqa: F401
