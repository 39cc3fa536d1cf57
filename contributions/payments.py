"""« Régulariser »: paying arrears by card through a payment backend.

Two backends share one confirmation path: the payment page answers with a
notification whose body is signed with HMAC-SHA256 (``PAYMENT_NOTIFICATION_SECRET``),
and :func:`payment_notification_receive` checks the signature before anything changes.
The development backend is a page of the portal that sends that notification itself;
the production backend creates the payment on the provider's hosted page
(``PAYMENT_PROVIDER_URL``) and the provider posts the notification to the portal. A
notification received twice (the provider retries) counts once.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from enrolment.enums import MemberDocumentKind
from enrolment.models import Enrolment
from enrolment.services.member_documents import member_document_add
from mutuelle.formatting import euros
from mutuelle.models import User
from mutuelle.pdf import render_pdf

from .enums import InstalmentStatus, PaymentStatus
from .models import CardPayment, Instalment
from .services import cents

I = InstalmentStatus  # noqa: E741
PROVIDER_TIMEOUT = 10  # seconds
UNAVAILABLE = "Le service de paiement ne répond pas : réessayez dans quelques minutes."


class PaymentError(Exception):
    """The payment could not be started or its notification was refused."""


@dataclass(frozen=True)
class PaymentUrls:
    """Where the member comes back to, where the provider notifies, and (development
    backend) the portal's own payment page."""

    return_url: str
    notify_url: str
    development_page_url: str = ""


def sign(body: bytes) -> str:
    secret = settings.PAYMENT_NOTIFICATION_SECRET.encode()
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def notification_body(*, payment: CardPayment, status: str, provider_id: str) -> bytes:
    return json.dumps(
        {
            "reference": payment.reference,
            "provider_id": provider_id,
            "status": status,
            "amount": cents(payment.amount),
            "currency": "EUR",
        },
        sort_keys=True,
    ).encode()


class DevelopmentPaymentBackend:
    """A payment page inside the portal: no card data, the member chooses the outcome."""

    name = "developpement"

    def start(self, payment: CardPayment, *, urls: PaymentUrls) -> str:
        return f"{urls.development_page_url}?{urlencode({'reference': payment.reference})}"

    def complete(self, payment: CardPayment, *, paid: bool) -> CardPayment:
        """What the provider would post: the same signed notification."""
        body = notification_body(
            payment=payment,
            status="paid" if paid else "failed",
            provider_id=f"DEV-{payment.reference}",
        )
        return payment_notification_receive(body=body, signature=sign(body))


class HostedPaymentBackend:
    """A card-payment provider's hosted page: the payment is created by an
    authenticated API call, the member pays there, the provider notifies the portal."""

    name = "prestataire"

    def start(self, payment: CardPayment, *, urls: PaymentUrls) -> str:
        if not settings.PAYMENT_PROVIDER_URL:
            raise PaymentError("Le paiement par carte n'est pas configuré.")
        body = json.dumps(
            {
                "reference": payment.reference,
                "amount": cents(payment.amount),
                "currency": "EUR",
                "description": f"Cotisations impayées — adhérent {payment.enrolment.member_number}",
                "return_url": urls.return_url,
                "notify_url": urls.notify_url,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings
            settings.PAYMENT_PROVIDER_URL.rstrip("/") + "/payments",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.PAYMENT_PROVIDER_API_KEY}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=PROVIDER_TIMEOUT) as response:  # noqa: S310
                data = json.loads(response.read())
            redirect_url, provider_id = data["redirect_url"], data["id"]
        except urllib.error.HTTPError as exc:
            exc.close()  # the error holds the open response
            raise PaymentError(UNAVAILABLE) from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PaymentError(UNAVAILABLE) from exc
        CardPayment.objects.filter(pk=payment.pk).update(provider_id=str(provider_id)[:80])
        return redirect_url


def payment_backend():
    return import_string(settings.PAYMENT_BACKEND)()


def arrears_of(enrolment: Enrolment):
    return Instalment.objects.filter(enrolment=enrolment, status=I.ARREARS).order_by("due_date")


def card_payment_start(
    *, enrolment: Enrolment, by: User, urls: PaymentUrls
) -> tuple[CardPayment, str]:
    """A payment of every instalment in arrears; returns it and the URL to go to."""
    backend = payment_backend()
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
        due = list(arrears_of(locked))
        if not due:
            raise ValidationError("Vous n'avez aucune cotisation en retard.")
        payment = CardPayment.objects.create(
            enrolment=locked,
            reference=f"REG-{locked.member_number}-{secrets.token_hex(5).upper()}",
            backend=backend.name,
            amount=sum((i.amount for i in due), Decimal("0.00")),
            created_by=by,
        )
        payment.instalments.set(due)
    return payment, backend.start(payment, urls=urls)


def payment_notification_receive(*, body: bytes, signature: str) -> CardPayment:
    """Apply a signed notification once: the instalments paid become « Régularisée »
    and a receipt is filed in the member's documents."""
    if not signature or not hmac.compare_digest(sign(body), signature.strip().lower()):
        raise PaymentError("Signature de la notification invalide.")
    try:
        data = json.loads(body)
        reference, status, amount = data["reference"], data["status"], int(data["amount"])
    except (ValueError, KeyError, TypeError) as exc:
        raise PaymentError("Notification illisible.") from exc
    with transaction.atomic():
        payment = (
            CardPayment.objects.select_for_update(of=("self",))
            .select_related("enrolment__employee")
            .filter(reference=reference)
            .first()
        )
        if payment is None:
            raise PaymentError("Paiement inconnu.")
        if payment.status != PaymentStatus.PENDING:
            return payment  # a retried notification: already applied
        if status != "paid":
            payment.status = PaymentStatus.FAILED
            payment.save(update_fields=["status"])
            return payment
        if amount != cents(payment.amount):
            raise PaymentError("Le montant notifié ne correspond pas au paiement.")
        now = timezone.now()
        payment.status = PaymentStatus.PAID
        payment.paid_at = now
        payment.provider_id = str(data.get("provider_id", ""))[:80]
        payment.save(update_fields=["status", "paid_at", "provider_id"])
        payment.instalments.filter(status=I.ARREARS).update(status=I.SETTLED, settled_at=now)
        member_document_add(
            enrolment=payment.enrolment,
            kind=MemberDocumentKind.RECEIPT,
            title=f"Reçu de paiement {payment.reference} ({euros(payment.amount)})",
            content=receipt_pdf(payment),
            filename=f"recu-{payment.reference}.pdf",
            document_date=timezone.localdate(now),
            key=f"payment-receipt:{payment.pk}",
        )
    return payment


def receipt_pdf(payment: CardPayment) -> bytes:
    return render_pdf(
        "contributions/receipt.html",
        {
            "payment": payment,
            "enrolment": payment.enrolment,
            "employee": payment.enrolment.employee,
            "instalments": list(payment.instalments.order_by("due_date")),
            # Today while the payment has no time yet (localdate of None is today).
            "paid_on": timezone.localdate(payment.paid_at),
            "mutuelle": settings.MUTUELLE,
        },
    )
