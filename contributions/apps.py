from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "Cotisations et prélèvements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from member_requests.enums import MemberRequestKind
        from member_requests.kinds import register_kind

        from .services import instalments_follow_beneficiaries

        # A beneficiary added or removed changes the instalments not yet presented.
        for kind in (MemberRequestKind.BENEFICIARY_ADD, MemberRequestKind.BENEFICIARY_REMOVE):
            register_kind(kind, on_accept=instalments_follow_beneficiaries)
