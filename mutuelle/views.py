from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .accounts import landing_url
from .session_timeout import session_deadline_set


def home(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return render(request, "home.html")


@login_required
def landing(request):
    return redirect(landing_url(request.user))


def favicon(request):
    """Browsers and the back office's pages ask for /favicon.ico whatever the pages say."""
    return redirect(static("img/favicon.svg"), permanent=True)


def accessibility_statement(request):
    return render(request, "accessibility.html")


@require_POST
@login_required
def session_extend(request):
    """« Prolonger ma session »: the page's script asks for JSON and stays on the page;
    without JavaScript the form comes back to the page it was sent from."""
    deadline = session_deadline_set(request.session)
    ends_at = f"{timezone.localtime(deadline):%H:%M}"
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"remaining": settings.SESSION_COOKIE_AGE, "ends_at": ends_at})
    messages.success(request, f"Votre session est prolongée jusqu'à {ends_at}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = landing_url(request.user)
    return redirect(target)


def server_error(request):
    """The 500 page: rendered from settings alone, without the database, the cache or
    the session (which may be what failed), so no context processor runs."""
    html = loader.get_template("500.html").render({"mutuelle": settings.MUTUELLE})
    return HttpResponseServerError(html)
