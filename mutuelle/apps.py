from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MutuelleConfig(AppConfig):
    name = "mutuelle"
    verbose_name = "Mutuelle (socle)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy checks
            session_timeout,  # noqa: F401 - sets the session's end at login
        )
        from .roles import ensure_gestionnaire_group

        # Runs after the auth app created the permissions of every migrated model.
        post_migrate.connect(ensure_gestionnaire_group, dispatch_uid="gestionnaire_group")
