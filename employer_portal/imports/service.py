"""Bulk pre-affiliation from an uploaded file (issue 3 §3).

``import_job_create`` stores the upload; ``import_job_run`` reads it, validates every
row with the same rules as the form (``enrolment.services.preaffiliation``), writes the
rejection file, then creates the valid employees in ONE transaction together with the
job's final state: after a crash nothing of the import is in the database. Progress is
saved outside that transaction so that the waiting page can follow it.
"""

import gc
import heapq
import itertools
import logging
import pickle
import tempfile
from collections.abc import Iterator

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
# Rows per pickled chunk of the spool files (and per round of creation).
SPOOL_CHUNK = 2000


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


class _Spool:
    """Rows written to an anonymous temporary file in pickled chunks and read back in
    the same order: a 175,000-row file never has all its rows in memory. The file is
    deleted when closed (it holds no more than the uploaded file itself)."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._chunk: list = []
        self.count = 0

    def append(self, item) -> None:
        self._chunk.append(item)
        self.count += 1
        if len(self._chunk) >= SPOOL_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []

    def chunks(self) -> Iterator[list]:
        self._flush()
        self._file.seek(0)
        while True:
            try:
                # Our own file, written just above: nothing untrusted is unpickled.
                yield pickle.load(self._file)  # noqa: S301
            except EOFError:
                return

    def __iter__(self) -> Iterator:
        for chunk in self.chunks():
            yield from chunk

    def close(self) -> None:
        self._file.close()


def _run(job: ImportJob) -> ImportJob:
    """Two passes, so that memory stays bounded whatever the file's size:

    1. stream and check the rows: a valid one is spooled as a compact tuple with its
       line, an invalid one with its cells and messages (for the rejection file); only
       the NIR hashes stay in memory, to find the NIRs given on several lines;
    2. in one transaction, create the valid rows chunk by chunk (all or nothing).
    """
    company, contract = job.company, job.contract
    today = timezone.localdate()
    taken = open_nir_hashes(contract=contract)
    valid, rejected = _Spool(), _Spool()
    first_line: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    try:
        try:
            with job.source_file.open("rb") as handle:
                upload = open_upload(
                    handle, size=job.source_file.size, checked_format=job.file_format
                )
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
                        valid.append((line, tuple(check.prepared())))
                    else:
                        rejected.append((line, values, check.messages(), nir_hash))
                    if count % PROGRESS_EVERY == 0:
                        ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
                del upload
        except FileRefused as refusal:
            return _refuse(job, refusal.message)
        del first_line, taken
        gc.collect()
        refused_later: dict[int, tuple[list, list[str]]] = {}
        for _attempt in range(3):
            try:
                return _save(job, valid, rejected, repeated, refused_later)
            except PreAffiliationInvalid as race:
                # Someone declared the same employee meanwhile: report it as a row error.
                for line, messages in race.lines.items():
                    refused_later[line] = messages
        return _save(job, valid, rejected, repeated, refused_later, last_try=True)
    finally:
        valid.close()
        rejected.close()


def _values_of(prepared: PreparedEmployee) -> list:
    values = prepared.as_row_values()
    return [values[key] for key in FIELDS]


def _rejections(valid: _Spool, rejected: _Spool, repeated: dict, refused_later: dict):
    """Every refused row in line order, as (line, cells, messages): the rows refused by
    the checks, then those refused afterwards (a NIR found on several lines, or
    declared meanwhile by someone else) merged in."""

    def others(nir_hash: str, line: int) -> str:
        return batch_duplicate_message([x for x in repeated[nir_hash] if x != line])

    def checked():
        for line, values, messages, nir_hash in rejected:
            if nir_hash in repeated:
                messages = [*messages, others(nir_hash, line)]
            yield line, values, messages

    def later():
        for line, fields in valid:
            prepared = PreparedEmployee._make(fields)
            if prepared.nir_hash in repeated:
                yield line, _values_of(prepared), [others(prepared.nir_hash, line)]
            elif line in refused_later:
                yield line, _values_of(prepared), refused_later[line]

    if not repeated and not refused_later:
        return checked()
    return heapq.merge(checked(), later(), key=lambda item: item[0])


def _save(
    job: ImportJob,
    valid: _Spool,
    rejected: _Spool,
    repeated: dict,
    refused_later: dict,
    *,
    last_try: bool = False,
) -> ImportJob:
    """Write the rejection file, then create the valid rows in one transaction with the
    job's final state. Raises PreAffiliationInvalid (nothing written) when someone
    declared one of the employees meanwhile."""
    error_count, preview = 0, []
    rejection_name = ""
    rows = _rejections(valid, rejected, repeated, refused_later)
    first = next(rows, None)
    if first is not None:

        def counted():
            nonlocal error_count
            for line, values, messages in itertools.chain([first], rows):
                error_count += 1
                if len(preview) < PREVIEW_SIZE:
                    preview.append(
                        {"line": line, "name": _display_name(values), "error": " ; ".join(messages)}
                    )
                yield values, " ; ".join(messages)

        content = build_rejection_xlsx(counted())
        rejection_name = job.rejection_file.storage.save(
            f"imports/{job.company_id}/{job.token}/rejet.xlsx", ContentFile(content)
        )
    valid_count = 0
    with transaction.atomic():
        for chunk in valid.chunks():
            lines, items = [], []
            for line, fields in chunk:
                prepared = PreparedEmployee._make(fields)
                if prepared.nir_hash in repeated or line in refused_later:
                    continue
                lines.append(line)
                items.append(prepared)
            if not items:
                continue
            try:
                enrolment_pre_affiliate_ids(
                    company=job.company,
                    contract=job.contract,
                    group=job.group,
                    rows=items,
                    by=job.created_by,
                    source="fichier",
                )
            except PreAffiliationInvalid as race:
                if last_try:
                    raise
                race.lines = {
                    lines[index]: [m for ms in errors.values() for m in ms]
                    for index, errors in race.errors.items()
                }
                raise
            valid_count += len(items)
        job.status = ImportStatus.DONE
        job.total_rows = valid_count + error_count
        job.processed_rows = job.total_rows
        job.valid_count = valid_count
        job.error_count = error_count
        job.rejection_file.name = rejection_name
        job.preview = preview
        job.finished_at = timezone.now()
        job.save()
    return job
