"""``manage.py import_ss_settlements FILE``: import a Sécurité sociale settlement file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benefits.enums import ImportStatus
from benefits.services.settlements import settlement_import_create, settlement_import_run
from mutuelle.formatting import euros


class Command(BaseCommand):
    help = "Importe un fichier de décomptes de la Sécurité sociale (CSV ; séparé par « ; »)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier CSV des décomptes")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        settlement_import = settlement_import_create(content=path.read_bytes(), filename=path.name)
        result = settlement_import_run(settlement_import=settlement_import)
        if result.status == ImportStatus.REFUSED:
            raise CommandError(f"Fichier refusé : {result.refusal_reason}")
        total = euros(result.mutuelle_total).replace("\u00a0", " ")
        self.stdout.write(
            f"{result.imported_count} ligne(s) importée(s), {result.rejected_count} rejetée(s), "
            f"{result.known_count} déjà connue(s) ; remboursement mutuelle : {total}"
        )
        if result.rejection_file:
            self.stdout.write(f"Fichier de rejet (stockage privé) : {result.rejection_file.name}")
