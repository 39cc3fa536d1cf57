from django.apps import AppConfig


class EmployerPortalConfig(AppConfig):
    name = "employer_portal"
    verbose_name = "Espace entreprise"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mutuelle.pages import pages_register

        # The correspondent's pages that the lower layers' e-mails and redirects link to.
        pages_register(
            {
                "employer.companies": "employer_portal:companies",
                "employer.home": "employer_portal:home",
            }
        )
