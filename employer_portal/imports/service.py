"""Bulk pre-affiliation from an uploaded file (issue 3 §3).

``import_job_create`` stores the upload; ``import_job_run`` reads it, validates every
row with the same rules as the form (``enrolment.services.preaffiliation``), writes the
rejection file, then creates the valid employees in ONE transaction together with the
job's final state: after a crash nothing of the import is in the database. Progress is
saved outside that transaction so that the waiting page can follow it.

Crashes (issue 12 §3). Each run first *claims* the job with one conditional UPDATE
(pending, or running with a stale heartbeat) that also counts the attempt; progress
writes refresh the heartbeat and carry the attempt number, so a run that lost its claim
(the sweeper gave the job to another worker) stops at its next write, and the final
transaction checks the claim under a row lock before creating anyone. A job is thus
imported once, whichever of a redelivered message, a sweeper restart or a retry runs
it. ``import_jobs_sweep`` (every minute, Celery beat) restarts jobs whose heartbeat is
stale, up to ``MAX_ATTEMPTS``, then marks them failed with a message the correspondent
sees next to « Relancer l'import » (``import_job_retry``).
"""

import datetime as dt
import gc
import heapq
import itertools
import logging
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
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
from ..tasks import run_import_job
from .files import (
    FIELDS,
    FileRefused,
    build_rejection_file,
    open_upload,
    rejection_format,
    row_as_dict,
)

logger = logging.getLogger(__name__)

# Files up to this size (about 200 rows) are processed while the page loads; larger
# ones by a Celery worker while a progress page waits.
INLINE_MAX_BYTES = 48 * 1024
PROGRESS_EVERY = 1000
PREVIEW_SIZE = 50
# Rows per chunk of the spools (and per round of creation).
SPOOL_CHUNK = 2000
# Rows a spool keeps in memory (about 30 MB of valid rows) before it writes its chunks
# to a temporary file: pickling them and reading them back was 5 % of a 10,000-row
# import, which a file of that size does not need to bound its memory.
SPOOL_IN_MEMORY = 20_000
# Above this many rows, the memory of the validation pass is handed back (one full
# collection, about 0.4 s) before the rows are created.
COLLECT_ABOVE_ROWS = 50_000
# Runs of one job (first run included) before the sweeper gives up on it.
MAX_ATTEMPTS = 3
TECHNICAL_FAILURE = (
    "Une erreur technique a interrompu le traitement : aucun salarié n'a été enregistré. "
    "Relancez l'import ; si l'erreur se reproduit, contactez votre chargé d'affaires."
)
GAVE_UP = (
    "Le traitement de votre fichier a été interrompu {attempts} fois par un incident "
    "technique : aucun salarié n'a été enregistré. Relancez l'import ; si l'incident se "
    "reproduit, contactez votre chargé d'affaires."
)
INTERRUPTED = (
    "Le traitement de votre fichier a été arrêté avant la fin : aucun salarié n'a été "
    "enregistré. Relancez l'import."
)


class _Superseded(Exception):
    """This run lost its claim on the job (the sweeper restarted it elsewhere)."""


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
        # Queued now: if no worker takes it, the sweeper queues it again.
        heartbeat_at=timezone.now(),
    )
    job.source_file.save(getattr(upload, "name", "fichier") or "fichier", upload, save=False)
    job.save()
    return job


def import_job_should_run_inline(job: ImportJob) -> bool:
    return job.source_file.size <= INLINE_MAX_BYTES


def _refuse(job: ImportJob, attempt: int, message: str) -> ImportJob:
    _mine(job, attempt).update(
        status=ImportStatus.REFUSED,
        refusal_reason=message,
        finished_at=timezone.now(),
        file_format=job.file_format,
    )
    job.refresh_from_db()
    return job


def _display_name(values: list) -> str:
    last, first = str(values[1] or "").strip(), str(values[2] or "").strip()
    return " ".join(p for p in (first, last.upper()) if p) or "(sans nom)"


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.IMPORT_HEARTBEAT_STALE_SECONDS)


def _stale(now: dt.datetime) -> Q:
    """Unfinished jobs that nobody is working on: queued or running, without a sign of
    activity for ``IMPORT_HEARTBEAT_STALE_SECONDS``."""
    before = _stale_before(now)
    return Q(status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]) & (
        Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, created_at__lt=before)
    )


def _mine(job: ImportJob, attempt: int):
    """The job, as long as this run (attempt number) still holds it."""
    return ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, attempts=attempt)


def _claim(job_id: int, *, take_over: bool) -> int | None:
    """Take the job for this run, in one conditional UPDATE: it must be pending, or
    running with a stale heartbeat (its worker is gone) — or running at all when
    ``take_over`` says that the run holding it is known dead — and below
    ``MAX_ATTEMPTS``. Returns this run's attempt number, or None (finished, or alive
    elsewhere)."""
    now = timezone.now()
    running = Q(status=ImportStatus.RUNNING)
    claimable = Q(status=ImportStatus.PENDING) | (running if take_over else running & _stale(now))
    claimed = ImportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ImportStatus.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        processed_rows=0,
    )
    if not claimed:
        # A redelivered message of a job that has used all its attempts ends it here.
        _give_up(ImportJob.objects.filter(pk=job_id), now)
        return None
    return ImportJob.objects.values_list("attempts", flat=True).get(pk=job_id)


def _give_up(jobs, now: dt.datetime) -> int:
    """Mark failed the stale jobs of ``jobs`` that have had all their attempts."""
    return jobs.filter(_stale(now), attempts__gte=MAX_ATTEMPTS).update(
        status=ImportStatus.FAILED,
        refusal_reason=GAVE_UP.format(attempts=MAX_ATTEMPTS),
        finished_at=now,
    )


def import_job_run(*, job: ImportJob, take_over: bool = False) -> ImportJob:
    """Process an uploaded file; safe to call again, from any process: a finished job,
    or one that another run is processing, is left alone.

    ``take_over``: the broker redelivers the message because the worker that ran it
    was lost, so the job's running attempt is dead and restarts now, without waiting
    for its heartbeat to go stale. Even if that guess were wrong, the other run would
    stop at its next write (its attempt number is no longer the job's)."""
    attempt = _claim(job.pk, take_over=take_over)
    job = ImportJob.objects.select_related("company", "contract", "group").get(pk=job.pk)
    if attempt is None:
        return job
    try:
        with _without_automatic_gc():
            return _run(job, attempt)
    except _Superseded:
        logger.warning("Import %s: attempt %s was superseded, stopping", job.pk, attempt)
        job.refresh_from_db()
        return job
    except Exception:
        logger.exception("Import %s failed", job.pk)
        _mine(job, attempt).update(
            status=ImportStatus.FAILED,
            refusal_reason=TECHNICAL_FAILURE,
            finished_at=timezone.now(),
        )
        raise


def import_job_interrupted(*, job: ImportJob) -> bool:
    """An operator stopped the process that ran the job (Ctrl-C, SIGTERM on the command
    line): the job ends failed at once, so that it can be retried, rather than waiting
    for the sweeper. Nothing of it was written (one transaction)."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, refusal_reason=INTERRUPTED, finished_at=timezone.now()
        )
    )


def import_jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Restart the jobs whose heartbeat is stale (their worker or their message was
    lost), or mark them failed after ``MAX_ATTEMPTS`` runs. Idempotent, and safe with
    two beats: each change is a conditional UPDATE, and a duplicate message finds the
    job claimed or finished."""
    now = now or timezone.now()
    with transaction.atomic():
        failed = _give_up(ImportJob.objects.all(), now)
        stale = ImportJob.objects.filter(_stale(now), attempts__lt=MAX_ATTEMPTS)
        restart = list(stale.values_list("pk", flat=True))
        if restart:
            stale.filter(pk__in=restart).update(status=ImportStatus.PENDING, heartbeat_at=now)
            for job_id in restart:
                transaction.on_commit(lambda job_id=job_id: run_import_job.delay(job_id))
    if restart or failed:
        logger.warning("Import sweeper: %s job(s) restarted, %s failed", len(restart), failed)
    return {"restarted": len(restart), "failed": failed}


def import_job_retry(*, job: ImportJob) -> bool:
    """« Relancer l'import » of a failed job: it is queued again with fresh attempts.
    Returns False when the job was not failed (a double submit does nothing twice)."""
    retried = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
        status=ImportStatus.PENDING,
        attempts=0,
        refusal_reason="",
        processed_rows=0,
        started_at=None,
        finished_at=None,
        heartbeat_at=timezone.now(),
    )
    if retried:
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return bool(retried)


@contextmanager
def _without_automatic_gc():
    """An import allocates millions of short-lived objects and no reference cycles, but
    each of Python's automatic full collections traverses every object of the process:
    measured at 0.4 s per collection, a quarter of a 10,000-row import. They are
    suspended while it runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Spool:
    """Rows kept in the order received, in chunks: in memory up to ``SPOOL_IN_MEMORY``
    rows, then written to an anonymous temporary file as pickled chunks and read back
    from it, so that a 175,000-row file never has all its rows in memory. The file is
    deleted when closed (it holds no more than the uploaded file itself)."""

    def __init__(self):
        self._file = None
        self._chunks: list[list] = []
        self._chunk: list = []
        self.count = 0

    def append(self, item) -> None:
        self._chunk.append(item)
        self.count += 1
        if len(self._chunk) >= SPOOL_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            self._chunks.append(self._chunk)
            self._chunk = []
        if self.count <= SPOOL_IN_MEMORY:
            return
        # Past the limit, every chunk goes to the file (those kept so far first).
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        for chunk in self._chunks:
            pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._chunks = []

    def chunks(self) -> Iterator[list]:
        self._flush()
        if self._file is None:
            yield from self._chunks
            return
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
        self._chunks = []
        if self._file is not None:
            self._file.close()


def _run(job: ImportJob, attempt: int) -> ImportJob:
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
                _beat(job, attempt, file_format=job.file_format, total_rows=job.total_rows)
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
                        _beat(job, attempt, processed_rows=count)
                del upload
        except FileRefused as refusal:
            return _refuse(job, attempt, refusal.message)
        del first_line, taken
        if valid.count + rejected.count > COLLECT_ABOVE_ROWS:
            gc.collect()
        refused_later: dict[int, tuple[list, list[str]]] = {}
        for _try in range(3):
            try:
                return _save(job, attempt, valid, rejected, repeated, refused_later)
            except PreAffiliationInvalid as race:
                # Someone declared the same employee meanwhile: report it as a row error.
                for line, messages in race.lines.items():
                    refused_later[line] = messages
        return _save(job, attempt, valid, rejected, repeated, refused_later, last_try=True)
    finally:
        valid.close()
        rejected.close()


def _beat(job: ImportJob, attempt: int, **fields) -> None:
    """Progress and heartbeat in one UPDATE (every ``PROGRESS_EVERY`` rows, not per
    row); a run that no longer holds the job stops here."""
    if not _mine(job, attempt).update(heartbeat_at=timezone.now(), **fields):
        raise _Superseded


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
    attempt: int,
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
    _beat(job, attempt)
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

        # In the format received when it can be written (an .ods gets an .ods).
        fmt = rejection_format(job.file_format)
        content = build_rejection_file(counted(), fmt=fmt)
        rejection_name = job.rejection_file.storage.save(
            f"imports/{job.company_id}/{job.token}/rejet.{fmt}", ContentFile(content)
        )
        _beat(job, attempt)
    valid_count = 0
    with transaction.atomic():
        # Under the job's row lock: a run that lost its claim creates nobody, and a
        # sweeper or another run waits for this transaction's end.
        if not list(_mine(job, attempt).select_for_update().values_list("pk", flat=True)):
            raise _Superseded
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
