"""« Ajouter des salariés » → « Fichier Excel ou structuré »: the six steps, the
progress page while a worker processes a large file, the summary and the rejection
file. Every job is looked up within ``request.company`` (another company's → 404)."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ..decorators import correspondent_view
from ..models import ImportJob, ImportStatus
from ..tasks import run_import_job
from .files import (
    ACCEPTED_FORMATS,
    MAX_UPLOAD_BYTES,
    REJECTION_CONTENT_TYPES,
    build_template_csv,
    build_template_xlsx,
)
from .forms import ImportUploadForm
from .service import (
    MAX_ATTEMPTS,
    import_job_create,
    import_job_retry,
    import_job_run,
    import_job_should_run_inline,
)

XLSX_TYPE = REJECTION_CONTENT_TYPES["xlsx"]


def _job_or_404(request, job_id: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("group", "contract"), pk=job_id, company=request.company
    )


@correspondent_view
def import_start(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, company=request.company)
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        job = import_job_create(
            company=request.company,
            contract=group.contract,
            group=group,
            upload=form.cleaned_data["file"],
            file_format=form.file_format,
            by=request.user,
        )
        if import_job_should_run_inline(job):
            job = import_job_run(job=job)
            if job.status == ImportStatus.REFUSED:
                form.add_error("file", job.refusal_reason)
                return render(request, "employer_portal/import/start.html", _ctx(request, form))
        else:
            transaction.on_commit(lambda: run_import_job.delay(job.pk))
        return redirect("employer_portal:import_job", request.company.pk, job.pk)
    return render(request, "employer_portal/import/start.html", _ctx(request, form))


def _ctx(request, form) -> dict:
    return {
        "company": request.company,
        "form": form,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "accepted_formats": ACCEPTED_FORMATS,
        "has_groups": form.fields["group"].queryset.exists(),
    }


@require_GET
@correspondent_view
def import_template(request, fmt: str):
    if fmt == "xlsx":
        response = HttpResponse(build_template_xlsx(), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(build_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modele_import_salaries.{fmt}"'
    return response


@require_GET
@correspondent_view
def import_job(request, job_id: int):
    job = _job_or_404(request, job_id)
    template = "summary.html" if job.is_finished else "progress.html"
    return render(
        request,
        f"employer_portal/import/{template}",
        {"company": request.company, "job": job, "max_attempts": MAX_ATTEMPTS},
    )


@require_POST
@correspondent_view
def import_retry(request, job_id: int):
    """« Relancer l'import » of a job that failed: the same file is processed again."""
    job = _job_or_404(request, job_id)
    if import_job_retry(job=job):
        messages.success(request, "Le traitement de votre fichier a été relancé.")
    return redirect("employer_portal:import_job", request.company.pk, job.pk)


@require_GET
@correspondent_view
def import_job_status(request, job_id: int):
    job = _job_or_404(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "finished": job.is_finished,
            "percent": job.progress_percent,
            "processed": job.processed_rows,
            "total": job.total_rows,
        }
    )


@require_GET
@correspondent_view
def import_rejection(request, job_id: int):
    job = _job_or_404(request, job_id)
    if not job.rejection_file:
        messages.info(request, "Cet import n'a aucun salarié en erreur.")
        return redirect("employer_portal:import_job", request.company.pk, job.pk)
    fmt = job.rejection_extension
    return FileResponse(
        job.rejection_file.open("rb"),
        as_attachment=True,
        # The time the correspondent saw on screen (Paris), not UTC.
        filename=f"fichier_de_rejet_{timezone.localtime(job.created_at):%Y%m%d_%H%M}.{fmt}",
        content_type=REJECTION_CONTENT_TYPES[fmt],
    )
