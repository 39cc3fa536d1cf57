from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader

from .accounts import landing_url


def home(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return render(request, "home.html")


@login_required
def landing(request):
    return redirect(landing_url(request.user))


def accessibility_statement(request):
    return render(request, "accessibility.html")


def site_map(request):
    """Every page a person can reach from the menus, by space; the company pages of a
    correspondent's own companies only."""
    companies = []
    if request.user.is_authenticated:
        companies = [
            access.company
            for access in request.user.correspondent_accesses.select_related("company").order_by(
                "company__legal_name"
            )
        ]
    return render(request, "site_map.html", {"companies": companies})


def server_error(request):
    """The 500 page: rendered from settings alone, without the database, the cache or
    the session (which may be what failed), so no context processor runs."""
    html = loader.get_template("500.html").render({"mutuelle": settings.MUTUELLE})
    return HttpResponseServerError(html)
