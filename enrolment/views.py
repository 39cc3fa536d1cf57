"""The one public page of the enrolment domain: the verification of a member card,
reached by scanning its QR code. It shows only the names on the card and whether the
rights are open today (no birth date, no NIR, no address)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .services.card import card_from_verification_token, card_rights_open


@require_GET
@never_cache
def card_verify(request, token: str):
    card = card_from_verification_token(token)
    if card is None:
        raise Http404("Carte inconnue.")
    today = timezone.localdate()
    return render(
        request,
        "enrolment/card/verification.html",
        {
            "names": [holder["name"] for holder in card.holders],
            "rights_open": card_rights_open(card, today=today),
            "replaced": card.replaced_at is not None,
            "today": today,
            "professional_help_phone": settings.MEMBER_CARD["professional_help_phone"],
        },
    )
