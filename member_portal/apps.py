from django.apps import AppConfig


class MemberPortalConfig(AppConfig):
    name = "member_portal"
    verbose_name = "Espace adhérent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.urls import reverse

        from enrolment.signature.services import register_signed_dossier_url

        # The signature confirmation e-mail links to the end page of the signature.
        register_signed_dossier_url(
            lambda enrolment: reverse("member_portal:signature_done", args=[enrolment.pk])
        )
