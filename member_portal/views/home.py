from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from enrolment.models import Enrolment

from .wizard import current_enrolment, resume_url


@login_required
def home(request):
    """While an enrolment is being completed, the employee resumes where they stopped."""
    enrolment = current_enrolment(request.user)
    if enrolment is not None:
        return redirect(resume_url(enrolment))
    enrolments = (
        Enrolment.objects.filter(employee__user=request.user)
        .select_related("employee__company", "contract", "offer")
        .order_by("-created_at")
    )
    return render(request, "member_portal/home.html", {"enrolments": enrolments})
