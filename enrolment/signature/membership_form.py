"""The membership form (bulletin d'adhésion): its data, its HTML and its PDF.

The same HTML body is shown in the signature page and rendered to PDF by WeasyPrint
through ``mutuelle.pdf.render_pdf`` (the project's fonts, static files only).
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from mutuelle.pdf import render_pdf
from mutuelle.validators import format_nir

from ..enums import BankAccountPurpose
from ..models import Enrolment
from ..services import wizard

# Bump when the wording of the form or of the consent boxes changes: the evidence keeps
# the versions the employee saw.
FORM_VERSION = "BA-2026.1"
CONSENT_VERSION = "CONSENT-2026.1"

CONSENT_TEXTS = {
    "certify": (
        "Je certifie avoir répondu avec exactitude aux déclarations faites en ligne et je "
        "reconnais avoir pris connaissance du présent bulletin d'adhésion"
    ),
    "contract_document": "J'ai pris connaissance du document contractuel relatif à mon contrat",
}

SEPA_MANDATE_TEXT = (
    "En signant ce formulaire de mandat, vous autorisez (A) {creditor} à envoyer des "
    "instructions à votre banque pour débiter votre compte, et (B) votre banque à débiter "
    "votre compte conformément aux instructions de {creditor}. Vous bénéficiez du droit "
    "d'être remboursé par votre banque selon les conditions décrites dans la convention "
    "que vous avez passée avec elle. Une demande de remboursement doit être présentée dans "
    "les 8 semaines suivant la date de débit de votre compte pour un prélèvement autorisé. "
    "Vos droits concernant le présent mandat sont expliqués dans un document que vous "
    "pouvez obtenir auprès de votre banque."
)


def mask_iban_end(iban: str) -> str:
    """Everything hidden but the country code and the last four characters."""
    compact = (iban or "").replace(" ", "").upper()
    if len(compact) <= 8:
        return "••••"
    hidden = "•" * (len(compact) - 6)
    masked = compact[:2] + hidden + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def format_siret(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if len(siret) == 14 else siret


@dataclass(frozen=True)
class Debit:
    amount: Decimal
    applies: bool


def monthly_costs(enrolment: Enrolment) -> dict:
    """The employee's monthly cost for the chosen offer, member and beneficiaries."""
    spouses, children = wizard.beneficiary_counts(enrolment)
    offer = enrolment.offer
    zero = Decimal("0.00")
    return {
        "member": offer.member_monthly_cost if offer else zero,
        "spouses": offer.spouse_monthly_cost * spouses if offer else zero,
        "children": offer.child_monthly_cost * children if offer else zero,
        "spouse_count": spouses,
        "child_count": children,
        "total": wizard.offer_costs(enrolment, offer, (spouses, children)).total if offer else zero,
    }


def debit_of(enrolment: Enrolment) -> Debit:
    """What is debited from the employee's account each month: the wizard's rule (the
    contract says whether the member's share and the beneficiaries' are debited)."""
    if enrolment.offer is None:
        return Debit(amount=Decimal("0.00"), applies=False)
    costs = wizard.offer_costs(enrolment, enrolment.offer, wizard.beneficiary_counts(enrolment))
    return Debit(amount=costs.debited, applies=costs.debit_applies)


def ensure_mandate_reference(enrolment: Enrolment) -> str:
    """Référence unique de mandat (RUM), at most 35 characters, created once."""
    if not enrolment.sepa_mandate_reference:
        enrolment.sepa_mandate_reference = wizard.new_mandate_reference(enrolment)
        enrolment.save(update_fields=["sepa_mandate_reference", "updated_at"])
    return enrolment.sepa_mandate_reference


def load_enrolment(pk: int) -> Enrolment:
    return (
        Enrolment.objects.select_related(
            "employee__company", "contract", "group", "offer", "employee__user"
        )
        .prefetch_related("beneficiaries__bank_accounts", "bank_accounts")
        .get(pk=pk)
    )


def form_context(enrolment: Enrolment) -> dict:
    """Everything the form shows. Call :func:`ensure_mandate_reference` first when a
    debit applies (the form must carry the reference the employee signs)."""
    employee = enrolment.employee
    company = employee.company
    beneficiaries = list(enrolment.beneficiaries.all())
    accounts = [a for a in enrolment.bank_accounts.all() if a.beneficiary_id is None]
    benefits_account = next((a for a in accounts if a.purpose == BankAccountPurpose.BENEFITS), None)
    contributions_account = next(
        (a for a in accounts if a.purpose == BankAccountPurpose.CONTRIBUTIONS), None
    )
    costs = monthly_costs(enrolment)
    debit = debit_of(enrolment)
    debit_account = contributions_account or benefits_account
    mutuelle = settings.MUTUELLE
    return {
        "mutuelle": mutuelle,
        "form_version": FORM_VERSION,
        "consent_version": CONSENT_VERSION,
        "consent_texts": CONSENT_TEXTS,
        "enrolment": enrolment,
        "employee": employee,
        "company": company,
        "company_siret": format_siret(company.siret),
        "contract": enrolment.contract,
        "offer": enrolment.offer,
        "nir": format_nir(employee.nir) if employee.nir else "",
        "beneficiaries": [
            {
                "obj": b,
                "nir": format_nir(b.nir) if b.nir else "",
                "accounts": [
                    {"holder": a.holder, "iban": mask_iban_end(a.iban), "bic": a.bic}
                    for a in b.bank_accounts.all()
                ],
            }
            for b in beneficiaries
        ],
        "benefits_account": _account(benefits_account),
        "debit_account": _account(debit_account),
        "same_account_for_debit": contributions_account is None
        or (benefits_account is not None and contributions_account.iban == benefits_account.iban),
        "costs": costs,
        "debit": debit,
        "mandate": {
            "creditor_name": mutuelle["sepa_creditor_name"],
            "creditor_ics": mutuelle["sepa_creditor_ics"],
            "creditor_address": mutuelle["address"],
            "reference": enrolment.sepa_mandate_reference,
            "text": SEPA_MANDATE_TEXT.format(creditor=mutuelle["sepa_creditor_name"]),
        }
        if debit.applies
        else None,
    }


def _account(account) -> dict | None:
    if account is None:
        return None
    return {"holder": account.holder, "iban": mask_iban_end(account.iban), "bic": account.bic}


def form_body_html(enrolment: Enrolment) -> str:
    """The form's content (shared by the web preview and the PDF)."""
    return render_to_string("enrolment/membership_form/body.html", form_context(enrolment))


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def membership_form_pdf(enrolment: Enrolment, *, body_html: str | None = None) -> bytes:
    """The unsigned form, as a PDF."""
    body = body_html if body_html is not None else form_body_html(enrolment)
    return render_pdf(
        "enrolment/membership_form/document.html",
        {"body": body, "mutuelle": settings.MUTUELLE, "enrolment": enrolment},
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def phone_origin_text(evidence) -> str:
    """Where the number that received the code came from, and when a code sent to it
    was typed back: the evidence page of the dossier and the back office say it."""
    if not evidence.phone_source:
        return "Non enregistrée (signature antérieure au rattachement du mobile au salarié)"
    text = evidence.get_phone_source_display()
    if evidence.phone_confirmed_at:
        at = timezone.localtime(evidence.phone_confirmed_at)
        text += f" ; code de confirmation saisi le {at:%d/%m/%Y} à {at:%H:%M:%S} (heure de Paris)"
    else:
        text += " (pas de confirmation distincte : le code de signature y a été reçu)"
    return text
