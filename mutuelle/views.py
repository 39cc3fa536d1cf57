from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .accounts import landing_url


def home(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return render(request, "home.html")


@login_required
def landing(request):
    return redirect(landing_url(request.user))
