"""« Afficher ma carte mutualiste » (screen and PDF) and « Afficher les garanties de
remboursement » (table and PDF tableau de garanties)."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from enrolment.member_models import MemberCard
from enrolment.services.card import card_context
from enrolment.services.guarantee_table import guarantee_table_pdf, offer_grid

from ..access import member_required


def _current_card(request, enrolment) -> MemberCard | None:
    return (
        MemberCard.objects.of_member(request.user)
        .current()
        .filter(enrolment=enrolment)
        .select_related("enrolment__employee__company", "document")
        .first()
    )


@member_required
def card(request, enrolment):
    current = _current_card(request, enrolment)
    context = card_context(current) if current else {}
    return render(
        request,
        "member_portal/space/card.html",
        {"enrolment": enrolment, "current": current, **context},
    )


@member_required
def card_pdf(request, enrolment):
    current = _current_card(request, enrolment)
    if current is None or current.document is None:
        raise Http404("Aucune carte.")
    response = FileResponse(
        current.document.file.open("rb"),
        as_attachment=True,
        filename=current.document.filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def guarantees(request, enrolment):
    offer = enrolment.offer
    return render(
        request,
        "member_portal/space/guarantees.html",
        {
            "enrolment": enrolment,
            "offer": offer,
            "sections": offer_grid(offer) if offer else [],
        },
    )


@member_required
def guarantees_pdf(request, enrolment):
    """Generated from the grid; an offer without a grid serves its uploaded PDF."""
    offer = enrolment.offer
    if offer is None:
        raise Http404("Aucune formule.")
    filename = f"tableau-garanties-{offer.contract.number}-{offer.level}.pdf"
    if offer.guarantee_rows.exists():
        response = HttpResponse(guarantee_table_pdf(offer), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if offer.guarantee_table:
        return FileResponse(
            offer.guarantee_table.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )
    raise Http404("Aucun tableau de garanties.")
