"""« Vérifier ma situation » (up to date, or the instalments in arrears), « Régulariser »
by card (development payment page or the provider's hosted page), the provider's
signed notification, and the contribution schedule."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contributions.enums import PaymentStatus
from contributions.models import CardPayment
from contributions.payments import (
    DevelopmentPaymentBackend,
    PaymentError,
    PaymentUrls,
    arrears_of,
    card_payment_start,
    payment_backend,
    payment_notification_receive,
)
from contributions.schedule import year_schedule
from contributions.services import schedule_document_file

from ..access import member_required


@member_required(covered=True)
@require_GET
def situation(request, enrolment):
    late = list(arrears_of(enrolment))
    return render(
        request,
        "member_portal/contributions/situation.html",
        {"late": late, "total": sum(i.amount for i in late)},
    )


@member_required(covered=True)
@require_POST
def pay(request, enrolment):
    absolute = request.build_absolute_uri
    try:
        _, url = card_payment_start(
            enrolment=enrolment,
            by=request.user,
            urls=PaymentUrls(
                return_url=absolute(reverse("member_portal:payment_return")),
                notify_url=absolute(reverse("member_portal:payment_notify")),
                development_page_url=reverse("member_portal:payment_page"),
            ),
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("member_portal:situation")
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect("member_portal:situation")
    return redirect(url)


def _own_payment(request, reference: str) -> CardPayment:
    return get_object_or_404(
        CardPayment.objects.filter(enrolment__employee__user=request.user).select_related(
            "enrolment"
        ),
        reference=reference,
    )


@member_required
@require_http_methods(["GET", "POST"])
def payment_page(request, enrolment):
    """The development backend's payment page (no card data is asked)."""
    backend = payment_backend()
    if not isinstance(backend, DevelopmentPaymentBackend):
        raise Http404
    payment = _own_payment(request, request.GET.get("reference", ""))
    if request.method == "POST" and payment.status == PaymentStatus.PENDING:
        paid = request.POST.get("outcome") == "paid"
        backend.complete(payment, paid=paid)
        if paid:
            messages.success(request, "Paiement accepté : votre situation est régularisée.")
        else:
            messages.warning(request, "Paiement annulé : rien n'a été débité.")
        return redirect("member_portal:situation")
    return render(
        request,
        "member_portal/contributions/payment_page.html",
        {"payment": payment, "instalments": payment.instalments.order_by("due_date")},
    )


@member_required
@require_GET
def payment_return(request, enrolment):
    """Where the provider's page sends the member back: the notification decides."""
    payment = (
        CardPayment.objects.filter(enrolment__employee__user=request.user)
        .order_by("-created_at")
        .first()
    )
    if payment is not None and payment.status == PaymentStatus.PAID:
        messages.success(request, "Paiement accepté : votre situation est régularisée.")
    elif payment is not None and payment.status == PaymentStatus.PENDING:
        messages.info(request, "Votre paiement est en cours de confirmation par la banque.")
    return redirect("member_portal:situation")


@csrf_exempt
@require_POST
def payment_notify(request):
    """The provider's notification: authenticated by its HMAC signature, not a login."""
    try:
        payment_notification_receive(
            body=request.body, signature=request.headers.get("X-Signature", "")
        )
    except PaymentError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return HttpResponse("OK", content_type="text/plain")


@member_required(covered=True)
@require_GET
def schedule(request, enrolment):
    year = timezone.localdate().year
    if request.GET.get("format") == "pdf":
        # Filed in « Mes documents » too (once per version of the amounts).
        document = schedule_document_file(enrolment=enrolment, year=year)
        response = HttpResponse(document.file.read(), content_type="application/pdf")
        document.file.close()
        response["Content-Disposition"] = f'inline; filename="echeancier-{year}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
    lines = year_schedule(enrolment, year)
    return render(
        request,
        "member_portal/contributions/schedule.html",
        {
            "enrolment": enrolment,
            "year": year,
            "lines": lines,
            "total": sum(line.amount for line in lines),
            "ics": settings.MUTUELLE["sepa_creditor_ics"],
        },
    )
