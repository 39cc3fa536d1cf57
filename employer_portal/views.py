from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .decorators import correspondent_view
from .perms import companies_of
from .selectors import company_counters, company_requests

LAST_REQUESTS = 5


@login_required
def companies(request):
    """« Mes entreprises »: a correspondent of several companies picks one."""
    items = list(companies_of(request.user).order_by("legal_name"))
    if len(items) == 1:
        return redirect("employer_portal:home", items[0].pk)
    return render(request, "employer_portal/companies.html", {"companies": items})


@correspondent_view
def home(request):
    company = request.company
    contracts = list(company.contracts.order_by("product_line", "number"))
    return render(
        request,
        "employer_portal/home.html",
        {
            "company": company,
            "contracts": contracts,
            "counters": company_counters(company, contracts),
            "last_requests": company_requests(company)[:LAST_REQUESTS],
        },
    )


@correspondent_view
def company_detail(request):
    return render(request, "employer_portal/company.html", {"company": request.company})
