"""``manage.py verify_dossier FILE``: is this signed dossier the one the portal sealed?

Checks the mutuelle's PAdES seal (intact, made with the configured certificate,
nothing appended after it) and that the file's SHA-256 is the one recorded in a
signature evidence record. Exit status 0 only when both hold."""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrolment.signature.models import SignatureEvidence
from enrolment.signature.seal import dossier_seal_check


class Command(BaseCommand):
    help = "Vérifie le sceau d'un dossier de signature et son empreinte dans les preuves."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le PDF du dossier de signature.")

    def handle(self, *args, file, **options):
        try:
            pdf = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        problems = []
        seal = dossier_seal_check(pdf)
        if not seal.intact:
            problems.append(
                f"sceau absent, rompu ou document modifié après le sceau ({seal.summary})"
            )
        elif not seal.trusted:
            problems.append(
                f"sceau d'un certificat qui n'est pas celui de la mutuelle ({seal.summary})"
            )
        digest = hashlib.sha256(pdf).hexdigest()
        evidence = (
            SignatureEvidence.objects.filter(dossier_sha256=digest)
            .select_related("enrolment")
            .first()
        )
        if evidence is None:
            problems.append(f"empreinte SHA-256 {digest} absente des preuves de signature")
        if problems:
            raise CommandError("Dossier NON conforme : " + " ; ".join(problems) + ".")
        self.stdout.write(
            f"Dossier conforme : sceau intact et de confiance"
            f"{' (horodaté)' if seal.timestamped else ''}, SHA-256 {digest} = preuve n° "
            f"{evidence.pk} (adhésion {evidence.enrolment.member_number}, signée le "
            f"{timezone.localtime(evidence.signed_at):%d/%m/%Y à %H:%M})."
        )
