"""Bulk pre-affiliation from an uploaded file (issue 3 §3).

``import_job_create`` stores the upload; ``import_job_run`` reads it, validates every
row with the same rules as the form (``enrolment.services.preaffiliation``), writes the
rejection file, then creates the valid employees in ONE transaction together with the
job's final state: after a crash nothing of the import is in the database. Progress is
saved outside that transaction so that the waiting page can follow it.
"""

import gc
import logging
from array import array

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from enrolment.services.preaffiliation import PreAffiliationInvalid, enrolment_pre_affiliate_ids
from enrolment.services.preaffiliation.checks import (
    PreparedEmployee,
    batch_duplicate_message,
    check_employee,
    open_nir_hashes,
)
from mutuelle.models import Company, Contract, InsuredGroup

from ..models import ImportJob, ImportStatus
from .files import FIELDS, FileRefused, build_rejection_xlsx, open_upload, row_as_dict

logger = logging.getLogger(__name__)

# Files up to this size (about 200 rows) are processed while the page loads; larger
# ones by a Celery worker while a progress page waits.
INLINE_MAX_BYTES = 48 * 1024
PROGRESS_EVERY = 1000
PREVIEW_SIZE = 50


def import_job_create(
    *,
    company: Company,
    contract: Contract,
    group: InsuredGroup,
    upload,
    by,
    file_format: str = "",
) -> ImportJob:
    """Store an upload as a pending job. ``file_format`` is what
    :func:`~employer_portal.imports.files.check_upload` returned when the upload form
    checked the file; without it the job checks the file when it runs."""
    if contract.company_id != company.pk or group.contract_id != contract.pk:
        raise ValueError("Contract and group must belong to the company.")
    job = ImportJob(
        company=company,
        contract=contract,
        group=group,
        original_name=(getattr(upload, "name", "") or "fichier")[-255:],
        file_format=file_format,
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
    """Stream the rows: a valid one is kept as a compact tuple, an invalid one with its
    cells for the rejection file; the file's Python rows are never all in memory."""
    company, contract = job.company, job.contract
    today = timezone.localdate()
    taken = open_nir_hashes(contract=contract)
    valid: list[PreparedEmployee] = []
    valid_lines = array("l")
    rejected: list[list] = []  # [line, values, messages]
    first_line: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    try:
        with job.source_file.open("rb") as handle:
            upload = open_upload(handle, size=job.source_file.size, checked_format=job.file_format)
            job.file_format = upload.format
            job.total_rows = upload.estimated_rows
            job.save(update_fields=["file_format", "total_rows"])
            for count, (line, values) in enumerate(upload.rows, start=1):
                check = check_employee(
                    row_as_dict(values),
                    company=company,
                    contract=contract,
                    today=today,
                    taken_nir_hashes=taken,
                )
                nir_hash = check.nir_hash
                if nir_hash:
                    if nir_hash in first_line:
                        repeated.setdefault(nir_hash, [first_line[nir_hash]]).append(line)
                    else:
                        first_line[nir_hash] = line
                if check.is_valid:
                    valid.append(check.prepared())
                    valid_lines.append(line)
                else:
                    rejected.append([line, values, check.messages(), nir_hash])
                if count % PROGRESS_EVERY == 0:
                    ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
            del upload
    except FileRefused as refusal:
        return _refuse(job, refusal.message)
    del first_line
    total = len(valid) + len(rejected)

    if repeated:
        # Every row of a NIR found twice is refused: nothing tells which one is right.
        for item in rejected:
            lines = repeated.get(item[3])
            if lines:
                item[2].append(batch_duplicate_message([x for x in lines if x != item[0]]))
        kept, kept_lines = [], array("l")
        for line, prepared in zip(valid_lines, valid, strict=True):
            lines = repeated.get(prepared.nir_hash)
            if lines:
                others = [x for x in lines if x != line]
                rejected.append([line, _values_of(prepared), [batch_duplicate_message(others)], ""])
            else:
                kept.append(prepared)
                kept_lines.append(line)
        valid, valid_lines = kept, kept_lines
    gc.collect()

    for _attempt in range(3):
        try:
            return _save(job, total, valid, rejected)
        except PreAffiliationInvalid as race:
            # Someone declared the same employee meanwhile: report it as a row error.
            for position in sorted(race.errors, reverse=True):
                prepared, line = valid.pop(position), valid_lines.pop(position)
                messages = [m for ms in race.errors[position].values() for m in ms]
                rejected.append([line, _values_of(prepared), messages, ""])
    return _save(job, total, valid, rejected)


def _values_of(prepared: PreparedEmployee) -> list:
    values = prepared.as_row_values()
    return [values[key] for key in FIELDS]


def _save(job: ImportJob, total: int, valid: list, rejected: list) -> ImportJob:
    rejected.sort(key=lambda item: item[0])
    rejection_name = ""
    if rejected:
        content = build_rejection_xlsx(
            [(values, " ; ".join(messages)) for _line, values, messages, _h in rejected]
        )
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
        job.total_rows = total
        job.processed_rows = total
        job.valid_count = len(valid)
        job.error_count = len(rejected)
        job.rejection_file.name = rejection_name
        job.preview = [
            {"line": line, "name": _display_name(values), "error": " ; ".join(messages)}
            for line, values, messages, _h in rejected[:PREVIEW_SIZE]
        ]
        job.finished_at = timezone.now()
        job.save()
    return job
