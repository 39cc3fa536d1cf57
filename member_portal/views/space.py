"""« Mon contrat »: the contract summary of the member space."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import render

from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount, Beneficiary, Enrolment
from enrolment.services.provident import provident_notice_open
from enrolment.services.wizard import beneficiary_counts, offer_costs
from mutuelle.uploads import serve_pdf

from ..access import member_required


@dataclass(frozen=True)
class ContractSummary:
    enrolment: Enrolment
    beneficiaries: list[Beneficiary]
    monthly_cost: Decimal | None
    debit_account: BankAccount | None
    debited: bool


def contract_summary(enrolment: Enrolment) -> ContractSummary:
    """Everything « Mon contrat » shows, in two queries whatever the number of
    beneficiaries (``member_required`` loaded the enrolment with its company, contract
    and offer)."""
    prefetch_related_objects([enrolment], "beneficiaries")
    beneficiaries = list(enrolment.beneficiaries.all())
    costs = (
        offer_costs(enrolment, enrolment.offer, beneficiary_counts(enrolment))
        if enrolment.offer
        else None
    )
    debited = bool(costs and costs.debit_applies)
    debit_account = None
    if debited:
        debit_account = BankAccount.objects.filter(
            enrolment=enrolment, beneficiary__isnull=True, purpose=BankAccountPurpose.CONTRIBUTIONS
        ).first()
    return ContractSummary(
        enrolment=enrolment,
        beneficiaries=beneficiaries,
        monthly_cost=costs.total if costs else None,
        debit_account=debit_account,
        debited=debited,
    )


@member_required
def contract(request, enrolment: Enrolment):
    return render(
        request,
        "member_portal/space/contract.html",
        {
            "summary": contract_summary(enrolment),
            "provident_enrolments": request.member.provident_enrolments,
        },
    )


@member_required
def provident_notice(request, enrolment: Enrolment, enrolment_id: int):
    """The notice of one of the member's own prévoyance affiliations (404 otherwise)."""
    for own in request.member.enrolments:
        if own.pk == enrolment_id and own.contract.is_provident:
            return serve_pdf(
                provident_notice_open(contract=own.contract),
                filename=f"notice-prevoyance-{own.contract.number}.pdf",
            )
    raise Http404("Aucune affiliation de prévoyance.")
