"""Development outbox: every e-mail and SMS the portal sent, newest first, so a whole
journey can be followed in a browser on one machine. 404 unless DEV_OUTBOX_ENABLED."""

from functools import wraps

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .enums import Channel
from .models import OutboxMessage
from .notifications import LINK_RE

PAGE_SIZE = 50


def dev_outbox_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # Read at request time: production never exposes the page, whatever the URLconf.
        if not settings.DEV_OUTBOX_ENABLED:
            raise Http404("Page inexistante.")
        return view(request, *args, **kwargs)

    return wrapper


@dev_outbox_only
def outbox_list(request):
    messages = OutboxMessage.objects.order_by("-created_at", "-id").defer("html_stored")
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.links = LINK_RE.findall(message.body_text)
    return render(request, "dev/outbox_list.html", {"page": page})


@dev_outbox_only
def outbox_detail(request, pk: int):
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "dev/outbox_detail.html", {"message": message})


# The e-mail's HTML as a mail client shows it: its inline styles allowed, nothing else
# (no script, no form, no request out), in a sandbox of its own, framed only by the
# outbox page. A srcdoc frame would inherit the site's policy and lose the styles.
EMAIL_PREVIEW_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


@dev_outbox_only
@xframe_options_sameorigin
@csp_exempt()
def outbox_message_html(request, pk: int):
    message = get_object_or_404(OutboxMessage, pk=pk, channel=Channel.EMAIL)
    response = HttpResponse(message.body_html)
    response["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    return response
