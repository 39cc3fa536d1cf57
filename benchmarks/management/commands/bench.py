"""``make bench``: performance figures, one ``name: value`` line each.

Each module of the ``benchmarks`` package (one per area: ``employer``, ``enrolment``,
``dispensations``…) defines ``BENCHMARKS``: a list of callables returning
``{name: value}``. They run against a throwaway database (created like the
test database, then destroyed), so the figures never touch real data.
"""

import importlib
import pkgutil

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

import benchmarks as benchmarks_package

# Run by locust only: importing it lets gevent monkey-patch threads, which breaks the
# database connection of every benchmark after it.
NOT_BENCHMARKS = {"locustfile"}


def collected() -> list:
    """Every module's ``BENCHMARKS``, in module order."""
    benchmarks = []
    for module_info in pkgutil.iter_modules(benchmarks_package.__path__):
        if module_info.ispkg or module_info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"{benchmarks_package.__name__}.{module_info.name}")
        benchmarks.extend(getattr(module, "BENCHMARKS", []))
    return benchmarks


class Command(BaseCommand):
    help = "Mesure les performances (une ligne « nom: valeur » par mesure)."

    def add_arguments(self, parser):
        parser.add_argument("only", nargs="*", help="Noms de mesures à exécuter (préfixes).")

    def handle(self, *args, only, **options):
        benchmarks = collected()
        if only:
            benchmarks = [b for b in benchmarks if any(b.__name__.startswith(o) for o in only)]
        # DEBUG off, as in production and as Django's test runner does: with it on, every
        # query is logged and the SQL of each is rebuilt with its parameters quoted.
        setup_test_environment(debug=False)
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            for benchmark in benchmarks:
                for name, value in benchmark().items():
                    shown = f"{value:.3f}" if isinstance(value, float) else value
                    self.stdout.write(f"{name}: {shown}")
                    self.stdout.flush()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
