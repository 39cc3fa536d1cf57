from django.shortcuts import redirect

from ..access import member_required
from .wizard import enrolment_started, resume_url


@member_required
def home(request, enrolment):
    """While an enrolment is being completed, the employee resumes where they stopped;
    a member lands on « Mes remboursements » (seed 002), a signed enrolment waiting for
    the back office on « Mon contrat », a dispensation request on its tracking."""
    current = enrolment_started(request) if request.member.enrolling else None
    if current is not None:
        return redirect(resume_url(current))
    if request.member.had_cover:
        return redirect("member_portal:reimbursements")
    if request.member.dispensation_tracked:
        return redirect("member_portal:dispensation_list")
    return redirect("member_portal:contract")
