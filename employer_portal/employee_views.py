"""« Mes collaborateurs »: list, export, detail and termination."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from enrolment.enums import (
    Relationship,
    TerminationReason,
    TerminationStatus,
    UnemploymentEligibility,
)
from enrolment.portability import PORTABILITY_REASONS
from enrolment.services.provident import provident_notice_open
from enrolment.services.termination import termination_submit
from mutuelle.uploads import serve_pdf
from mutuelle.validators import format_nir

from .decorators import correspondent_view
from .exports import export_csv, export_xlsx
from .filters import EnrolmentFilter
from .forms import TerminationForm
from .paging import paginate
from .selectors import (
    company_enrolments,
    company_enrolments_to_count,
    employee_contracts,
    enrolment_list_rows,
)

EXPORT_FORMATS = {
    "xlsx": (
        export_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (export_csv, "text/csv; charset=utf-8"),
}


def _filtered(request, queryset=None):
    return EnrolmentFilter(
        request.GET or None,
        queryset=queryset if queryset is not None else company_enrolments(request.company),
        company=request.company,
    )


@correspondent_view
def employee_list(request):
    filterset = _filtered(request, enrolment_list_rows(request.company))
    # The same filters on the cheaper query for the total (a search still joins the
    # employees: it filters on their names).
    to_count = _filtered(request, company_enrolments_to_count(request.company))
    page, querystring = paginate(request, filterset.qs, count_queryset=to_count.qs)
    return render(
        request,
        "employer_portal/employees/list.html",
        {
            "company": request.company,
            "filter": filterset,
            "page": page,
            "querystring": querystring,
        },
    )


@correspondent_view
def employee_export(request, fmt: str):
    """The whole list (the filters of the page apply) as xlsx or csv."""
    builder, content_type = EXPORT_FORMATS[fmt]
    content = builder(_filtered(request).qs)
    filename = f"collaborateurs-{request.company.siret}-{timezone.localdate():%Y%m%d}.{fmt}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _enrolment(request, enrolment_id: int):
    return get_object_or_404(company_enrolments(request.company), pk=enrolment_id)


@correspondent_view
def employee_detail(request, enrolment_id: int):
    contracts = list(employee_contracts(request.company, enrolment_id))
    enrolment = next((e for e in contracts if e.pk == enrolment_id), None)
    if enrolment is None:
        raise Http404("Aucun salarié.")
    employee = enrolment.employee
    # Only the relationship is read: the employer never sees beneficiaries' names.
    relationships = list(enrolment.beneficiaries.values_list("relationship", flat=True))
    return render(
        request,
        "employer_portal/employees/detail.html",
        {
            "company": request.company,
            "enrolment": enrolment,
            "employee": employee,
            "nir": format_nir(employee.nir) if employee.nir else "",
            "beneficiaries": [Relationship(r).label for r in relationships],
            "contracts": contracts,
            "pending_termination": enrolment.terminations.filter(
                status=TerminationStatus.SUBMITTED
            ).first(),
            "scheduled_termination": enrolment.terminations.filter(
                status=TerminationStatus.PROCESSED, applied_at__isnull=True
            ).first(),
        },
    )


@correspondent_view
def employee_notice(request, enrolment_id: int):
    """The prévoyance notice d'information, for the employer to hand over (employees
    without e-mail do not receive it)."""
    enrolment = _enrolment(request, enrolment_id)
    if not enrolment.contract.is_provident:
        raise Http404("Pas de notice d'information pour ce contrat.")
    return serve_pdf(
        provident_notice_open(contract=enrolment.contract),
        filename=f"notice-prevoyance-{enrolment.contract.number}.pdf",
    )


@correspondent_view
def employee_terminate(request, enrolment_id: int):
    """Form, then a confirmation step that shows the portability duration and end date
    computed by the server (no JavaScript needed), then sending."""
    enrolment = _enrolment(request, enrolment_id)
    form = TerminationForm(request.POST or None, enrolment=enrolment)
    context = {"company": request.company, "enrolment": enrolment, "form": form}
    context["portability_reasons"] = sorted(PORTABILITY_REASONS)
    context["portability_reason_labels"] = [
        label for value, label in TerminationReason.choices if value in PORTABILITY_REASONS
    ]
    step = request.POST.get("step")
    if request.method == "POST" and form.is_valid() and step != "edit":
        data = form.cleaned_data
        context["decision"] = form.decision()
        if step != "confirm":
            context["reason_label"] = TerminationReason(data["reason"]).label
            if data["unemployment"]:
                context["unemployment_label"] = UnemploymentEligibility(data["unemployment"]).label
            return render(request, "employer_portal/employees/terminate_confirm.html", context)
        try:
            termination = termination_submit(
                enrolment=enrolment,
                hire_date=data["hire_date"],
                contracts_start_date=data["contracts_start_date"],
                termination_date=data["termination_date"],
                reason=data["reason"],
                unemployment=data["unemployment"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Votre demande de résiliation a bien été transmise. Elle apparaît dans "
                "« Mes demandes ».",
            )
            return redirect(
                "employer_portal:request_detail", request.company.pk, termination.request_id
            )
    return render(request, "employer_portal/employees/terminate.html", context)
