"""« Mes documents »: every document of the member, newest first, filtered by type and
year; « Mes attestations » makes today's attestation d'appartenance. Files are served
by :func:`document_file`, which finds them among the member's own documents only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from enrolment.member_models import MemberDocument
from enrolment.services.member_documents import member_attestation_issue

from ..access import member_required
from ..forms.documents import DocumentFilterForm


def member_documents(user, *, kind: str = "", year: int | None = None):
    """The page's one query: documents of the user's enrolments, newest first."""
    documents = MemberDocument.objects.of_member(user).only(
        "pk", "kind", "title", "document_date", "size", "created_at", "enrolment_id"
    )
    if kind:
        documents = documents.filter(kind=kind)
    if year:
        documents = documents.filter(year=year)
    return documents.order_by("-document_date", "-created_at", "-id")


@member_required
def documents(request, enrolment):
    years = list(
        MemberDocument.objects.of_member(request.user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    form = DocumentFilterForm(request.GET or None, years=years)
    kind, year = "", None
    if form.is_valid():
        kind, year = form.cleaned_data["kind"], form.cleaned_data["year"]
    return render(
        request,
        "member_portal/space/documents.html",
        {
            "enrolment": enrolment,
            "form": form,
            "documents": member_documents(request.user, kind=kind, year=year),
            "filtered": bool(kind or year),
        },
    )


@member_required
def document_file(request, enrolment, pk: int):
    document = get_object_or_404(MemberDocument.objects.of_member(request.user), pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@member_required
def attestation(request, enrolment):
    """Today's attestation (the same document if asked again today), then its file."""
    try:
        document = member_attestation_issue(enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("member_portal:documents")
    return redirect("member_portal:document_file", pk=document.pk)
