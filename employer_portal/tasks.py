from celery import shared_task

from .models import ImportJob


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> None:
    """Process an uploaded file. Redelivery is harmless: a finished job is skipped, and
    an interrupted one had written nothing (one transaction at the end)."""
    from .imports.service import import_job_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_run(job=job)
