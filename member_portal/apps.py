from django.apps import AppConfig


class MemberPortalConfig(AppConfig):
    name = "member_portal"
    verbose_name = "Espace adhérent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mutuelle.pages import pages_register

        # The member's pages that the lower layers' e-mails and redirects link to.
        pages_register(
            {
                "member.home": "member_portal:home",
                "member.account_create": "member_portal:account_create",
                "member.invitation": "member_portal:invitation",
                "member.confirm_email": "member_portal:confirm_email",
                "member.card": "member_portal:card",
                "member.reimbursements": "member_portal:reimbursements",
                "member.conversation": "member_portal:conversation",
                "member.signed_dossier": "member_portal:signature_done",
                "member.dispensations": "member_portal:dispensation_list",
                "member.dispensation_complete": "member_portal:dispensation_complete",
                "member.dispensation_rejustify": "member_portal:dispensation_rejustify",
            }
        )
