"""« Mes remboursements » (the member's landing page) and a line's « Détail du calcul»."""

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from benefits.enums import StatementKind
from benefits.models import ReimbursementLine, Statement
from benefits.selectors import member_lines, member_people, year_totals
from benefits.services.statements import statement_produce
from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment

from ..forms.reimbursements import ReimbursementFilterForm, StatementRequestForm

PAGE_SIZE = 50
# Enrolments that have (or had) cover, hence reimbursements.
WITH_COVER = [EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY, EnrolmentStatus.TERMINATED]


def member_enrolment(user) -> Enrolment:
    """The member's latest enrolment with cover; 404 for anybody else."""
    enrolment = (
        Enrolment.objects.filter(employee__user=user, status__in=WITH_COVER)
        .select_related("employee")
        .order_by("-effective_date", "-pk")
        .first()
    )
    if enrolment is None:
        raise Http404("Aucune adhésion couverte.")
    return enrolment


@login_required
def reimbursement_list(request):
    enrolment = member_enrolment(request.user)
    people = member_people(enrolment)
    today = timezone.localdate()
    form = ReimbursementFilterForm(request.GET or None, people=people, today=today)
    start, end = form.period()
    lines = member_lines(enrolment=enrolment, start=start, end=end, people_keys=form.people_keys())
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    names = {person.beneficiary_id: person.name for person in people}
    rows = [(line, names.get(line.beneficiary_id, "")) for line in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "member_portal/reimbursements/list.html",
        {
            "enrolment": enrolment,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "year": today.year,
            "actions": [("Afficher mes relevés", reverse("member_portal:statement_list"))],
            "totals": year_totals(enrolment=enrolment, year=today.year, people=people),
        },
    )


@login_required
def reimbursement_detail(request, pk: int):
    line = get_object_or_404(
        ReimbursementLine.objects.filter(enrolment__employee__user=request.user).select_related(
            "enrolment__employee", "beneficiary", "guarantee_row"
        ),
        pk=pk,
    )
    return render(
        request,
        "member_portal/reimbursements/detail.html",
        {"line": line, "computation": line.computation},
    )


@login_required
def statement_list(request):
    """« Afficher mes relevés »: the monthly statements and a statement on demand."""
    enrolment = member_enrolment(request.user)
    people = member_people(enrolment)
    today = timezone.localdate()
    form = StatementRequestForm(
        request.POST or None,
        people=people,
        today=today,
        initial={"du": today.replace(day=1) - relativedelta(months=3), "au": today},
    )
    if request.method == "POST" and form.is_valid():
        statement_produce(
            enrolment=enrolment,
            kind=StatementKind.ON_DEMAND,
            period_start=form.cleaned_data["du"],
            period_end=form.cleaned_data["au"],
            beneficiary_keys=form.cleaned_data["beneficiaires"],
        )
        messages.success(request, "Votre relevé est prêt : il est aussi dans « Mes documents ».")
        return redirect("member_portal:statement_list")
    statements = enrolment.statements.select_related("document").order_by("-created_at", "-pk")[:60]
    return render(
        request,
        "member_portal/reimbursements/statements.html",
        {"form": form, "statements": statements},
    )


@login_required
def statement_download(request, pk: int):
    statement = get_object_or_404(
        Statement.objects.filter(
            enrolment__employee__user=request.user, document__isnull=False
        ).select_related("document"),
        pk=pk,
    )
    document = statement.document
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
