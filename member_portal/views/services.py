"""« Mes services »: téléconsultation (partner from settings), and the agencies and
partner professionals near a postcode, a town or a département (a list, no map)."""

from django.conf import settings
from django.shortcuts import render

from directory.models import Agency, PartnerProfessional

from ..access import member_required
from ..forms.services import DirectorySearchForm

MAX_RESULTS = 50


@member_required
def services(request, enrolment):
    form = DirectorySearchForm(request.GET or None)
    results = None
    if form.is_valid():
        data = form.cleaned_data
        if data["what"] == DirectorySearchForm.PARTNERS:
            found = PartnerProfessional.objects.filter(is_active=True).search(data["where"])
            if data["specialty"]:
                found = found.filter(specialty=data["specialty"])
        else:
            found = Agency.objects.filter(is_active=True).search(data["where"])
        results = list(found.order_by("postal_code", "name")[: MAX_RESULTS + 1])
    return render(
        request,
        "member_portal/space/services.html",
        {
            "enrolment": enrolment,
            "form": form,
            "results": results[:MAX_RESULTS] if results is not None else None,
            "more": results is not None and len(results) > MAX_RESULTS,
            "teleconsultation": settings.TELECONSULTATION,
        },
    )
