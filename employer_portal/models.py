"""Files uploaded by a correspondent to pre-affiliate employees in bulk."""

import uuid

from django.conf import settings
from django.db import models

from mutuelle.models import Company, Contract, InsuredGroup


class ImportStatus(models.TextChoices):
    PENDING = "pending", "En attente de traitement"
    RUNNING = "running", "En cours de traitement"
    DONE = "done", "Terminé"
    REFUSED = "refused", "Fichier refusé"
    FAILED = "failed", "Échec technique"


def import_upload_path(instance: "ImportJob", filename: str) -> str:
    return f"imports/{instance.company_id}/{instance.token}/fichier{filename[-5:]}"


class ImportJob(models.Model):
    """One uploaded file: its processing state, counters and rejection file.

    Files live in the private storage and are served only through views scoped to the
    company. ``token`` names the folder so that paths cannot be guessed.
    """

    token = models.UUIDField("jeton de suivi", default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="import_jobs", verbose_name="entreprise"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="+", verbose_name="contrat"
    )
    group = models.ForeignKey(
        InsuredGroup, verbose_name="groupe d'assurés", on_delete=models.PROTECT, related_name="+"
    )
    source_file = models.FileField("fichier importé", upload_to=import_upload_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    file_format = models.CharField("format", max_length=4, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    refusal_reason = models.TextField("motif du refus", blank=True)
    total_rows = models.PositiveIntegerField("lignes", default=0)
    processed_rows = models.PositiveIntegerField("lignes traitées", default=0)
    valid_count = models.PositiveIntegerField("salariés validés", default=0)
    error_count = models.PositiveIntegerField("salariés en erreur", default=0)
    preview = models.JSONField("aperçu des erreurs", default=list, blank=True)
    rejection_file = models.FileField("fichier de rejet", upload_to="imports/rejets/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="importé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    # Written when the job is queued, then as rows progress: a pending or running job
    # whose heartbeat is old has lost its worker (or its message), and the sweeper
    # restarts it (``employer_portal.imports.service.import_jobs_sweep``).
    heartbeat_at = models.DateTimeField("dernier signe d'activité", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives de traitement", default=0)

    class Meta:
        verbose_name = "import de salariés"
        verbose_name_plural = "imports de salariés"
        ordering = ["-created_at"]
        # The sweeper looks for unfinished jobs by heartbeat every minute.
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="importjob_sweep_idx")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}

    @property
    def rejection_extension(self) -> str:
        """« ods » or « xlsx »: the rejection file's format, from its name."""
        return self.rejection_file.name.rsplit(".", 1)[-1] if self.rejection_file else ""

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)
