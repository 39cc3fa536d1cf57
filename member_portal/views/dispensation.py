"""The employee's dispensation pages: request, acknowledgement, « Suivi de mes demandes »,
complement, withdrawal, yearly proof, and the employee's own proofs.

Every lookup goes through ``Dispensation.objects.of_employee_user``: anyone else, the
company's correspondent included, gets a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from dispensations.enums import UNDECIDED_STATES, DispensationStatus
from dispensations.files import serve_proof
from dispensations.models import Dispensation, DispensationProof
from dispensations.services import (
    DISPENSABLE_ENROLMENT_STATES,
    can_rejustify,
    dispensation_complete,
    dispensation_rejustify,
    dispensation_submit,
    dispensation_withdraw,
)
from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment, RequestEvent
from enrolment.services.invitation import DEADLINE_PASSED, enrolment_past_deadline

from ..access import member_required
from ..forms.dispensation import DispensationCompleteForm, DispensationForm, RejustifyForm
from ..staged_proofs import staged_add, staged_clear, staged_files, staged_kept


def _own(request, pk: int) -> Dispensation:
    return get_object_or_404(
        Dispensation.objects.of_employee_user(request.user).select_related(
            "enrolment__employee__company", "enrolment__contract", "request"
        ),
        pk=pk,
    )


def _apply_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _dispensable_enrolment(request):
    enrolments = (
        Enrolment.objects.filter(
            employee__user=request.user,
            status__in=DISPENSABLE_ENROLMENT_STATES,
            contract__dispensation_enabled=True,
        )
        .exclude(
            # An active member whose cover already ends (termination or dispensation
            # scheduled) has nothing to ask.
            status=EnrolmentStatus.ACTIVE,
            end_date__isnull=False,
        )
        .exclude(
            status=EnrolmentStatus.ACTIVE,
            dispensations__status__in=UNDECIDED_STATES,
        )
        .select_related("employee__company", "contract__dispensation_settings")
    )
    wanted = request.GET.get("adhesion")
    if wanted and wanted.isdigit():
        enrolments = enrolments.filter(pk=int(wanted))
    return enrolments.order_by("-created_at").first()


@member_required
@require_http_methods(["GET", "POST"])
def dispensation_start(request, current):
    enrolment = _dispensable_enrolment(request)
    if enrolment is None:
        pending = (
            Dispensation.objects.of_employee_user(request.user)
            .filter(status__in=UNDECIDED_STATES)
            .exists()
        )
        if pending:
            messages.info(request, "Votre demande de dispense est déjà en cours de traitement.")
            return redirect("member_portal:dispensation_list")
        return render(request, "member_portal/dispensation/unavailable.html", status=404)
    if enrolment_past_deadline(enrolment=enrolment):
        messages.error(request, DEADLINE_PASSED)
        return redirect("member_portal:home")
    employee = enrolment.employee
    scope = f"dispensation:{enrolment.pk}"
    if request.method == "POST":
        kept = staged_kept(request, scope)
        form = DispensationForm(request.POST, request.FILES, enrolment=enrolment, kept=len(kept))
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispensation = dispensation_submit(
                    enrolment=enrolment,
                    case_code=data["case"],
                    payroll_id=data["payroll_id"],
                    hire_date=data["hire_date"],
                    end_date=data.get("end_date"),
                    insurer_name=data.get("insurer_name", ""),
                    sworn_statement=data["sworn_statement"],
                    files=staged_files(kept) + data["proofs"],
                    by=request.user,
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                staged_clear(request, scope)
                return redirect("member_portal:dispensation_done", pk=dispensation.pk)
        kept = _keep_accepted_proofs(request, scope, form, kept)
    else:
        staged_clear(request, scope)
        kept = []
        form = DispensationForm(
            initial={"payroll_id": employee.payroll_id, "hire_date": employee.hire_date},
            enrolment=enrolment,
        )
    return render(
        request,
        "member_portal/dispensation/form.html",
        {"form": form, "enrolment": enrolment, "employee": employee, "staged": kept},
    )


def _keep_accepted_proofs(request, scope: str, form, kept: list[dict]) -> list[dict]:
    """The form is shown again: the new files that passed their checks are kept."""
    new = form.cleaned_data.get("proofs") if not form.has_error("proofs") else None
    if new:
        kept = staged_add(request, scope, new)
        form.proofs_kept(len(kept))
    return kept


@member_required
def dispensation_done(request, enrolment, pk: int):
    dispensation = _own(request, pk)
    return render(request, "member_portal/dispensation/done.html", {"dispensation": dispensation})


@member_required
def dispensation_list(request, enrolment):
    dispensations = (
        Dispensation.objects.of_employee_user(request.user)
        .select_related("enrolment__employee", "request")
        .prefetch_related(
            Prefetch(
                "request__events",
                queryset=RequestEvent.objects.order_by("-at", "-id"),
                to_attr="history",
            ),
            Prefetch("proofs", queryset=DispensationProof.objects.order_by("uploaded_at")),
        )
    )
    return render(
        request,
        "member_portal/dispensation/list.html",
        {
            "dispensations": dispensations,
            "Status": DispensationStatus,
            "can_request": _dispensable_enrolment(request) is not None,
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def dispensation_complete_view(request, enrolment, pk: int):
    dispensation = _own(request, pk)
    if dispensation.status != DispensationStatus.AWAITING_COMPLEMENT:
        messages.info(request, "Cette demande n'attend pas de complément.")
        return redirect("member_portal:dispensation_list")
    scope = f"dispensation-complement:{dispensation.pk}"
    if request.method == "POST":
        kept = staged_kept(request, scope)
        form = DispensationCompleteForm(
            request.POST, request.FILES, dispensation=dispensation, kept=len(kept)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispensation_complete(
                    dispensation=dispensation,
                    by=request.user,
                    files=staged_files(kept) + data["proofs"],
                    payroll_id=data["payroll_id"],
                    hire_date=data["hire_date"],
                    end_date=data.get("end_date"),
                    insurer_name=data.get("insurer_name", ""),
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                staged_clear(request, scope)
                messages.success(
                    request, "Merci, votre demande est complétée : elle est de nouveau en cours."
                )
                return redirect("member_portal:dispensation_list")
        kept = _keep_accepted_proofs(request, scope, form, kept)
    else:
        staged_clear(request, scope)
        kept = []
        form = DispensationCompleteForm(
            initial={
                "payroll_id": dispensation.payroll_id,
                "hire_date": dispensation.hire_date,
                "end_date": dispensation.end_date,
                "insurer_name": dispensation.insurer_name,
            },
            dispensation=dispensation,
        )
    return render(
        request,
        "member_portal/dispensation/complete.html",
        {
            "form": form,
            "dispensation": dispensation,
            "proofs": dispensation.proofs.all(),
            "staged": kept,
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def dispensation_withdraw_view(request, enrolment, pk: int):
    dispensation = _own(request, pk)
    if dispensation.status not in UNDECIDED_STATES:
        messages.info(request, "Cette demande est déjà traitée : elle ne peut plus être retirée.")
        return redirect("member_portal:dispensation_list")
    if request.method == "POST":
        try:
            dispensation_withdraw(dispensation=dispensation, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("member_portal:dispensation_list")
        messages.success(
            request,
            "Votre demande de dispense est retirée : vous pouvez finaliser votre adhésion.",
        )
        return redirect("member_portal:home")
    return render(
        request, "member_portal/dispensation/withdraw.html", {"dispensation": dispensation}
    )


@member_required
@require_http_methods(["GET", "POST"])
def dispensation_rejustify_view(request, enrolment, pk: int):
    dispensation = _own(request, pk)
    if not can_rejustify(dispensation):
        messages.info(request, "Aucun justificatif annuel n'est attendu pour cette dispense.")
        return redirect("member_portal:dispensation_list")
    form = RejustifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispensation_rejustify(
                dispensation=dispensation, by=request.user, files=form.cleaned_data["proofs"]
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Merci, votre justificatif annuel a bien été transmis.")
            return redirect("member_portal:dispensation_list")
    return render(
        request,
        "member_portal/dispensation/rejustify.html",
        {"form": form, "dispensation": dispensation},
    )


@member_required
def dispensation_proof(request, enrolment, pk: int, proof_pk: int):
    dispensation = _own(request, pk)
    proof = get_object_or_404(dispensation.proofs, pk=proof_pk)
    return serve_proof(proof)
