"""Development outbox: every e-mail and SMS the portal sent, newest first, so a whole
journey can be followed in a browser on one machine. 404 unless DEV_OUTBOX_ENABLED."""

import re
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import OutboxMessage

URL_RE = re.compile(r"https?://[^\s<>\"']+")
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
        message.links = URL_RE.findall(message.body_text)
    return render(request, "dev/outbox_list.html", {"page": page})


@dev_outbox_only
def outbox_detail(request, pk: int):
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "dev/outbox_detail.html", {"message": message})
