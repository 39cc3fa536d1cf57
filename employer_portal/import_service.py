"""Bulk pre-affiliation from an uploaded file (issue 3 §3).

``import_job_create`` stores the upload; ``import_job_run`` reads it, validates every
row with the same rules as the form (``enrolment.services.preaffiliation``), writes the
rejection file, then creates the valid employees in ONE transaction together with the
job's final state: after a crash nothing of the import is in the database. Progress is
saved outside that transaction so that the waiting page can follow it.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from enrolment.services.preaffiliation import (
    PreAffiliationInvalid,
    check_employee,
    enrolment_pre_affiliate_ids,
    mark_batch_duplicates,
    open_nir_hashes,
)
from mutuelle.models import Company, Contract, InsuredGroup

from .import_files import FileRefused, build_rejection_xlsx, read_upload, row_as_dict
from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# Files up to this size (about 200 rows) are processed while the page loads; larger
# ones by a Celery worker while a progress page waits.
INLINE_MAX_BYTES = 48 * 1024
PROGRESS_EVERY = 1000
PREVIEW_SIZE = 50


def import_job_create(
    *, company: Company, contract: Contract, group: InsuredGroup, upload, by
) -> ImportJob:
    if contract.company_id != company.pk or group.contract_id != contract.pk:
        raise ValueError("Contract and group must belong to the company.")
    job = ImportJob(
        company=company,
        contract=contract,
        group=group,
        original_name=(getattr(upload, "name", "") or "fichier")[-255:],
        created_by=by,
    )
    job.source_file.save(getattr(upload, "name", "fichier") or "fichier", upload, save=False)
    job.save()
    return job


def import_job_should_run_inline(job: ImportJob) -> bool:
    return job.source_file.size <= INLINE_MAX_BYTES


def _refuse(job: ImportJob, message: str) -> ImportJob:
    job.status = ImportStatus.REFUSED
    job.refusal_reason = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "refusal_reason", "finished_at", "file_format"])
    return job


def _display_name(values: list) -> str:
    last, first = str(values[1] or "").strip(), str(values[2] or "").strip()
    return " ".join(p for p in (first, last.upper()) if p) or "(sans nom)"


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Process an uploaded file; safe to call again (a finished job is left alone)."""
    job = ImportJob.objects.select_related("company", "contract", "group").get(pk=job.pk)
    if job.is_finished:
        return job
    job.status = ImportStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        return _run(job)
    except Exception:
        logger.exception("Import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            refusal_reason="Une erreur technique a interrompu le traitement : aucun salarié "
            "n'a été enregistré. Réessayez ou contactez votre chargé d'affaires.",
            finished_at=timezone.now(),
        )
        raise


def _run(job: ImportJob) -> ImportJob:
    try:
        with job.source_file.open("rb") as handle:
            parsed = read_upload(handle, size=job.source_file.size)
    except FileRefused as refusal:
        return _refuse(job, refusal.message)
    job.file_format = parsed.format
    job.total_rows = len(parsed.rows)
    job.save(update_fields=["file_format", "total_rows"])

    company, contract = job.company, job.contract
    today = timezone.localdate()
    taken = open_nir_hashes(contract=contract)
    checks = []
    for index, (_line, values) in enumerate(parsed.rows, start=1):
        checks.append(
            check_employee(
                row_as_dict(values),
                company=company,
                contract=contract,
                today=today,
                taken_nir_hashes=taken,
            )
        )
        if index % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=index)
    mark_batch_duplicates(checks, [line for line, _values in parsed.rows])

    for _attempt in range(2):
        try:
            return _save(job, parsed.rows, checks)
        except PreAffiliationInvalid as race:
            # Someone declared the same employee meanwhile: report it as a row error.
            valid = [i for i, c in enumerate(checks) if c.is_valid]
            for position, errors in race.errors.items():
                for key, messages in errors.items():
                    for message in messages:
                        checks[valid[position]].add(key, message)
    return _save(job, parsed.rows, checks)


def _save(job: ImportJob, rows: list, checks: list) -> ImportJob:
    rejected = [
        (values, " ; ".join(check.messages()), line)
        for (line, values), check in zip(rows, checks, strict=True)
        if not check.is_valid
    ]
    valid = [check for check in checks if check.is_valid]
    rejection_name = ""
    if rejected:
        content = build_rejection_xlsx([(values, error) for values, error, _ in rejected])
        rejection_name = job.rejection_file.storage.save(
            f"imports/{job.company_id}/{job.token}/rejet.xlsx", ContentFile(content)
        )
    with transaction.atomic():
        if valid:
            enrolment_pre_affiliate_ids(
                company=job.company,
                contract=job.contract,
                group=job.group,
                rows=valid,
                by=job.created_by,
                source="fichier",
            )
        job.status = ImportStatus.DONE
        job.processed_rows = len(rows)
        job.valid_count = len(valid)
        job.error_count = len(rejected)
        job.rejection_file.name = rejection_name
        job.preview = [
            {"line": line, "name": _display_name(values), "error": error}
            for values, error, line in rejected[:PREVIEW_SIZE]
        ]
        job.finished_at = timezone.now()
        job.save()
    return job
