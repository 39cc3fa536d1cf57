"""Bulk load for the back office, through the same service as the upload page.

Stopped by Ctrl-C or SIGTERM, the command marks its job failed (nothing was written:
one transaction) before exiting; killed outright (SIGKILL, a lost machine), the job's
heartbeat stops and the sweeper restarts it in a worker, like a web upload's.
"""

import signal
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from mutuelle.models import Contract

from ...imports.service import import_job_create, import_job_interrupted, import_job_run
from ...models import ImportStatus


class Command(BaseCommand):
    help = "Pré-affilie les salariés d'un fichier .xlsx, .ods, .xls ou .csv (modèle d'import)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier .xlsx, .ods, .xls ou .csv au format du modèle")
        parser.add_argument("--contract", required=True, help="Numéro du contrat")
        parser.add_argument("--group", required=True, help="Nom du groupe d'assurés")

    def handle(self, *args, file, contract, group, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        found = Contract.objects.select_related("company").filter(number=contract).first()
        if found is None:
            raise CommandError(f"Contrat introuvable : {contract}")
        insured_group = found.groups.filter(name=group).first()
        if insured_group is None:
            names = ", ".join(found.groups.values_list("name", flat=True)) or "aucun"
            raise CommandError(
                f"Groupe « {group} » introuvable sur ce contrat (groupes : {names})."
            )
        with path.open("rb") as handle:
            job = import_job_create(
                company=found.company,
                contract=found,
                group=insured_group,
                upload=File(handle, name=path.name),
                by=None,
            )
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            job = import_job_run(job=job)
        except KeyboardInterrupt:
            if not import_job_interrupted(job=job):
                raise  # it had finished before the interruption
            raise CommandError(
                f"Import n° {job.pk} interrompu : aucun salarié enregistré."
            ) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
        if job.status == ImportStatus.REFUSED:
            raise CommandError(f"Fichier refusé : {job.refusal_reason}")
        self.stdout.write(f"{job.valid_count} validé(s), {job.error_count} en erreur")
        if job.rejection_file:
            # A name in the private storage (a folder or a bucket), not a local path.
            self.stdout.write(f"Fichier de rejet (stockage privé) : {job.rejection_file.name}")


def _interrupt(signum, frame):
    # SIGTERM ends the run like Ctrl-C, so that the job is marked failed on the way out.
    raise KeyboardInterrupt
