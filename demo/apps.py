from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of ``make run``: the top layer, it composes every app."""

    name = "demo"
    verbose_name = "Données de démonstration"
