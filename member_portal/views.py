from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from enrolment.models import Enrolment


@login_required
def home(request):
    enrolments = (
        Enrolment.objects.filter(employee__user=request.user)
        .select_related("employee__company", "contract", "offer")
        .order_by("-created_at")
    )
    return render(request, "member_portal/home.html", {"enrolments": enrolments})
