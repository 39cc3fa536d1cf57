"""« Mes documents »: guarantee tables and the certificate of affiliated employees."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from enrolment.enums import EnrolmentStatus
from enrolment.models import member_number_of
from mutuelle.models import Offer
from mutuelle.pdf import render_pdf

from .decorators import correspondent_view
from .selectors import company_enrolments


def _offers(company):
    return Offer.objects.filter(contract__company=company).select_related("contract", "group")


@correspondent_view
def documents(request):
    offers = _offers(request.company).order_by(
        "contract__product_line", "contract__number", "group__name", "display_order"
    )
    return render(
        request,
        "employer_portal/documents.html",
        {"company": request.company, "offers": offers},
    )


@correspondent_view
def guarantee_table(request, offer_id: int):
    offer = get_object_or_404(_offers(request.company), pk=offer_id)
    if not offer.guarantee_table:
        raise Http404("Aucun tableau de garanties pour cette offre.")
    filename = f"garanties-{offer.contract.number}-{offer.group.name}-{offer.level}.pdf"
    # « Afficher les garanties »: shown in the browser's PDF viewer, not downloaded.
    return FileResponse(
        offer.guarantee_table.open("rb"),
        as_attachment=False,
        filename=filename,
        content_type="application/pdf",
    )


@correspondent_view
def affiliation_certificate(request):
    """PDF listing the employees covered today (mis en gestion)."""
    company = request.company
    rows = (
        company_enrolments(company)
        .filter(status=EnrolmentStatus.ACTIVE)
        .values_list(
            "pk",
            "imported_member_number",
            "employee__last_name",
            "employee__first_name",
            "contract__number",
            "group__name",
            "effective_date",
        )
    )
    pdf = render_pdf(
        "employer_portal/pdf/certificate.html",
        {
            "company": company,
            "rows": [
                {
                    "member_number": member_number_of(pk, imported),
                    "name": f"{last.upper()} {first}",
                    "contract": contract,
                    "group": group,
                    "effective_date": effective,
                }
                for pk, imported, last, first, contract, group, effective in rows
            ],
            "today": timezone.localdate(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-affiliation-{company.siret}.pdf"'
    )
    return response
