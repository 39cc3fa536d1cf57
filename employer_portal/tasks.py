from celery import shared_task

from .models import ImportJob


# Acknowledged only when the run ends, and given back to the queue if the worker process
# dies meanwhile: a lost worker's job is delivered again. Running it twice is harmless:
# ``import_job_run`` claims the job first (a finished job, or one another run is
# processing, is skipped) and creates everyone in one transaction at the end.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_import_job(self, job_id: int) -> None:
    from .imports.service import import_job_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        # Redelivered: the worker that had this message died (see import_job_run).
        redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
        import_job_run(job=job, take_over=redelivered)


@shared_task
def sweep_import_jobs() -> dict[str, int]:
    """Every minute (beat): restart the imports whose worker was lost."""
    from .imports.service import import_jobs_sweep

    return import_jobs_sweep()
