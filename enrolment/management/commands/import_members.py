"""Load members enrolled outside the portal from a CSV file (see
``enrolment/services/member_import.py`` for the columns and rules)."""

from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrolment.services.member_import import HEADERS, MemberFileRefused, members_import


class Command(BaseCommand):
    help = (
        "Importe des adhérents sans compte en ligne depuis un fichier CSV (séparateur « ; », "
        "colonnes : " + " ; ".join(HEADERS) + "). Les lignes en erreur vont dans un "
        "fichier de rejet."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV (UTF-8 ou Windows-1252).")

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Impossible de lire {file} : {exc.strerror}") from exc
        try:
            result = members_import(data=data)
        except MemberFileRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{len(result.created)} adhérent(s) importé(s), {len(result.rejected)} en erreur"
        )
        if result.rejected:
            name = default_storage.save(
                f"imports/adherents/{timezone.now():%Y%m%d-%H%M%S}/rejet.xlsx",
                ContentFile(result.rejection_file()),
            )
            # The name in the private storage (a folder or a bucket).
            self.stdout.write(f"Fichier de rejet : {name}")
