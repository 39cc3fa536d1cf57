from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Performance figures of ``make bench`` (the ``bench`` command)."""

    name = "benchmarks"
    verbose_name = "Mesures de performance"
