"""« Mes remboursements » (the member's landing page), a line's « Détail du calcul »,
statements, reimbursement requests and estimates."""

from functools import wraps

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from benefits.acts import QUOTE_DOMAINS, USUAL
from benefits.enums import StatementKind
from benefits.models import ReimbursementLine, Statement
from benefits.selectors import MEMBER_KEY, member_lines, member_people, year_totals
from benefits.services.requests import (
    estimate_compute,
    estimate_request_submit,
    reimbursement_request_submit,
)
from benefits.services.statements import statement_produce
from mutuelle.models import GuaranteeRow

from ..access import member_required
from ..forms.reimbursements import (
    EstimateForm,
    QuoteForm,
    ReimbursementFilterForm,
    ReimbursementRequestForm,
    StatementRequestForm,
)
from ..forms.requests import apply_service_errors

PAGE_SIZE = 50


def covered(view):
    """``member_required``, for a member whose enrolment has (or had) cover: the pages of
    reimbursements (404 for anyone else)."""

    @member_required
    @wraps(view)
    def wrapper(request, enrolment, *args, **kwargs):
        if not request.member.had_cover:
            raise Http404("Aucune adhésion couverte.")
        return view(request, enrolment, *args, **kwargs)

    return wrapper


@covered
def reimbursement_list(request, enrolment):
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
            "actions": [
                ("Afficher mes relevés", reverse("member_portal:statement_list")),
                ("Demander un remboursement", reverse("member_portal:reimbursement_request")),
                ("Demander une estimation", reverse("member_portal:estimate")),
            ],
            "totals": year_totals(enrolment=enrolment, year=today.year, people=people),
        },
    )


@covered
def reimbursement_detail(request, enrolment, pk: int):
    line = get_object_or_404(
        ReimbursementLine.objects.filter(enrolment=enrolment).select_related(
            "enrolment__employee", "beneficiary", "guarantee_row"
        ),
        pk=pk,
    )
    return render(
        request,
        "member_portal/reimbursements/detail.html",
        {"line": line, "computation": line.computation},
    )


@covered
def statement_list(request, enrolment):
    """« Afficher mes relevés »: the monthly statements and a statement on demand."""
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


@covered
def statement_download(request, enrolment, pk: int):
    statement = get_object_or_404(
        Statement.objects.filter(enrolment=enrolment, document__isnull=False).select_related(
            "document"
        ),
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


def _beneficiary(enrolment, key: str):
    """The Beneficiary of a form's person key (None: the member)."""
    return None if key == MEMBER_KEY else enrolment.beneficiaries.get(pk=int(key))


@covered
def reimbursement_request(request, enrolment):
    """« Demander un remboursement » (a member request of kind « remboursement »)."""
    form = ReimbursementRequestForm(
        request.POST or None,
        request.FILES or None,
        people=member_people(enrolment),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_request = reimbursement_request_submit(
                enrolment=enrolment,
                by=request.user,
                beneficiary=_beneficiary(enrolment, data["beneficiaire"]),
                care_date=data["date_soins"],
                care_kind=data["nature"],
                amount_paid=data["montant"],
                professional_name=data["professionnel"],
                message=data["message"],
                invoice=data["facture"],
                ss_statement=data.get("decompte"),
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Votre demande n° {member_request.number} est envoyée : suivez-la dans "
                "« Mes demandes ».",
            )
            return redirect("member_portal:reimbursements")
    return render(
        request,
        "member_portal/reimbursements/request.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@covered
def estimate(request, enrolment):
    """« Demander une estimation »: instant answer from the member's grid; for optical,
    dental and hearing quotes, the quote can be sent for the back office's answer."""
    people = member_people(enrolment)
    act_codes = set(
        GuaranteeRow.objects.filter(offer_id=enrolment.offer_id).values_list("act_code", flat=True)
    )
    data = request.POST if request.method == "POST" else request.GET
    form = EstimateForm(data or None, people=people, act_codes=act_codes)
    result = quote_form = None
    if form.is_valid():
        values = form.cleaned_data
        beneficiary = _beneficiary(enrolment, values["beneficiaire"])
        result = estimate_compute(
            enrolment=enrolment,
            beneficiary_id=beneficiary.pk if beneficiary else None,
            act_code=values["acte"],
            price=values["prix"],
            fee_sector=values["secteur"],
            ss_base=values["base"],
            ss_rate=values["taux"],
        )
        if USUAL[values["acte"]][0] in QUOTE_DOMAINS:
            quote_form = QuoteForm(
                request.POST if request.method == "POST" else None, request.FILES or None
            )
            if request.method == "POST" and quote_form.is_valid():
                try:
                    member_request = estimate_request_submit(
                        enrolment=enrolment,
                        by=request.user,
                        beneficiary=beneficiary,
                        act_code=values["acte"],
                        price=values["prix"],
                        fee_sector=values["secteur"],
                        estimate=result,
                        quote=quote_form.cleaned_data["devis"],
                        message=quote_form.cleaned_data["message"],
                        submission_key=quote_form.cleaned_data["submission_key"],
                    )
                except ValidationError as error:
                    apply_service_errors(quote_form, error)
                else:
                    messages.success(
                        request,
                        f"Votre devis est envoyé (demande n° {member_request.number}) : la "
                        "réponse arrivera dans « Mes demandes ».",
                    )
                    return redirect("member_portal:reimbursements")
    return render(
        request,
        "member_portal/reimbursements/estimate.html",
        {"form": form, "result": result, "quote_form": quote_form},
    )
