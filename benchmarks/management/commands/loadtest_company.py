"""Builds (once) the 10,000-employee company of ``make loadtest``."""

from django.core.management.base import BaseCommand

from benchmarks.loadtest_data import loadtest_company_ensure


class Command(BaseCommand):
    help = "Crée (une fois) l'entreprise de 10 000 salariés du test de charge."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=10_000)
        parser.add_argument(
            "--password", required=True, help="Mot de passe donné au correspondant et à l'adhérent"
        )

    def handle(self, *args, employees, password, **options):
        result = loadtest_company_ensure(employees=employees, password=password)
        state = "créée" if result.created else "déjà présente"
        self.stdout.write(f"company_id: {result.company_id}")
        self.stdout.write(f"employees: {result.employees}")
        self.stderr.write(f"Entreprise du test de charge {state}.")
