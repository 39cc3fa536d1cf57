from django.apps import AppConfig


class MemberPortalConfig(AppConfig):
    name = "member_portal"
    verbose_name = "Espace adhérent"
    default_auto_field = "django.db.models.BigAutoField"
