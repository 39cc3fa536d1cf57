"""Roles and where each one lands after logging in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


def is_correspondent(user) -> bool:
    return user.is_authenticated and user.correspondent_accesses.exists()


def is_employee(user) -> bool:
    return user.is_authenticated and user.employee_records.exists()


def landing_url(user) -> str:
    """Back office → admin; correspondent → « Mes entreprises » (or the only company's
    home); employee → member area."""
    if user.is_staff:
        return reverse("admin:index")
    company_ids = list(user.correspondent_accesses.values_list("company_id", flat=True)[:2])
    if len(company_ids) == 1:
        return reverse("employer_portal:home", args=[company_ids[0]])
    if company_ids:
        return reverse("employer_portal:companies")
    if is_employee(user):
        return reverse("member_portal:home")
    return reverse("account_logout")


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return landing_url(request.user)

    def is_open_for_signup(self, request):
        # Accounts are created by the mutuelle (correspondents, staff) or through an
        # invitation link (employees), never by open sign-up.
        return False
