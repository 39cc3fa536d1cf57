from django.apps import AppConfig


class MemberRequestsConfig(AppConfig):
    name = "member_requests"
    verbose_name = "Demandes des adhérents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the kinds' decisions and the SEPA mandate as a signed document.
        from . import bank, beneficiaries, portability  # noqa: F401
