"""« Demander un remboursement » and « Demander une estimation » (issue 9 §5–6), as kinds
of the member request machine (``member_requests``): the details live in
``ReimbursementRequest`` / ``EstimateRequest``, one-to-one with the request; acceptance
by the back office runs the effects below in the same transaction as the decision."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from benefits.acts import USUAL
from benefits.enums import LineSource
from benefits.models import EstimateRequest, ReimbursementLine, ReimbursementRequest
from benefits.rules import Computation, Settlement, cents, row_for
from benefits.services.ledger import UsageLedger
from benefits.services.settlements import settlement_line_values
from benefits.settlement_files import ParsedRow
from enrolment.enums import MemberDocumentKind
from enrolment.models import Enrolment
from enrolment.services.member_documents import member_document_add
from member_requests.enums import MemberRequestKind
from member_requests.kinds import register_kind
from member_requests.services import member_request_submit
from mutuelle.pdf import render_pdf


def reimbursement_request_submit(
    *,
    enrolment: Enrolment,
    by,
    beneficiary,
    care_date: dt.date,
    care_kind: str,
    amount_paid: Decimal,
    professional_name: str = "",
    message: str = "",
    invoice,
    ss_statement=None,
    submission_key: str = "",
):
    documents = [("Facture", invoice)]
    if ss_statement is not None:
        documents.append(("Décompte de la Sécurité sociale", ss_statement))
    return member_request_submit(
        enrolment=enrolment,
        kind=MemberRequestKind.REIMBURSEMENT,
        by=by,
        message=message,
        documents=documents,
        submission_key=submission_key,
        build_detail=lambda member_request: ReimbursementRequest.objects.create(
            member_request=member_request,
            beneficiary=beneficiary,
            care_date=care_date,
            care_kind=care_kind,
            amount_paid=amount_paid,
            professional_name=professional_name,
        ),
    )


def _reimbursement_accept(*, member_request, by) -> None:
    """The back office completed the settlement data: compute and record the line."""
    detail = ReimbursementRequest.objects.select_for_update().get(member_request=member_request)
    if detail.line_id:
        return
    enrolment = member_request.enrolment
    if not detail.act_code:
        raise ValidationError("Indiquez le code acte retenu avant d'accepter la demande.")
    if detail.out_of_nomenclature and (detail.ss_base or detail.ss_paid):
        raise ValidationError("Des soins hors nomenclature n'ont ni base ni remboursement.")
    if detail.ss_paid > detail.amount_paid:
        raise ValidationError("Le remboursement de la Sécurité sociale dépasse le montant payé.")
    grid_row = row_for(
        list(enrolment.offer.guarantee_rows.all()) if enrolment.offer_id else [],
        act_code=detail.act_code,
        fee_sector=detail.fee_sector,
    )
    if grid_row is None:
        raise ValidationError("Ce code acte n'est pas dans le tableau de garanties de l'adhérent.")
    ledger = UsageLedger.load(
        enrolment_ids=[enrolment.pk], act_codes={detail.act_code}, since=detail.care_date
    )
    line = ReimbursementLine(
        **settlement_line_values(
            ledger=ledger,
            enrolment_id=enrolment.pk,
            beneficiary_id=detail.beneficiary_id,
            grid_row=grid_row,
            row=ParsedRow(
                reference=f"DEMANDE-{member_request.number}",
                member_number=enrolment.member_number,
                nir="",
                birth_date=detail.care_date,
                twin_rank=None,
                care_date=detail.care_date,
                act_code=detail.act_code,
                fee_sector=detail.fee_sector,
                quantity=detail.quantity,
                actual_cost=detail.amount_paid,
                ss_base=detail.ss_base,
                ss_rate=detail.ss_rate,
                ss_paid=detail.ss_paid,
                ss_deductible=detail.ss_deductible,
                third_party_payment=False,
                professional=detail.professional_name,
            ),
            source=LineSource.MEMBER_REQUEST,
        )
    )
    line.save()
    detail.line = line
    detail.save(update_fields=["line"])


@dataclass
class Estimate:
    computation: Computation
    ss_base: Decimal
    ss_rate: int
    ss_paid: Decimal
    usual: bool  # the BR and rate are the usual ones, not the member's


def estimate_compute(
    *,
    enrolment: Enrolment,
    beneficiary_id: int | None,
    act_code: str,
    price: Decimal,
    fee_sector: str = "",
    ss_base: Decimal | None = None,
    ss_rate: int | None = None,
    today: dt.date | None = None,
) -> Estimate | None:
    """What the member would get for ``price`` today, from their own grid and what they
    already consumed; ``None`` when the act is not in their grid."""
    today = today or timezone.localdate()
    grid_row = row_for(
        list(enrolment.offer.guarantee_rows.all()) if enrolment.offer_id else [],
        act_code=act_code,
        fee_sector=fee_sector,
    )
    if grid_row is None:
        return None
    _domain, usual_base, usual_rate, usual_pf = USUAL[act_code]
    usual = ss_base is None
    base = (price if usual_base is None else min(price, usual_base)) if usual else ss_base
    rate = usual_rate if ss_rate is None else ss_rate
    adult = beneficiary_id is None or _is_adult(beneficiary_id, today)
    deductible = usual_pf if (adult and base) else Decimal("0")
    ss_paid = min(price, max(Decimal("0"), cents(base * rate / 100) - deductible))
    ledger = UsageLedger.load(enrolment_ids=[enrolment.pk], act_codes={act_code}, since=today)
    computation = ledger.compute(
        key=(enrolment.pk, beneficiary_id, act_code),
        row=grid_row,
        settlement=Settlement(
            care_date=today,
            actual_cost=price,
            ss_base=base,
            ss_paid=ss_paid,
            ss_deductible=deductible,
            fee_sector=fee_sector,
        ),
    )
    return Estimate(computation, base, rate, ss_paid, usual)


def _is_adult(beneficiary_id: int, today: dt.date) -> bool:
    from enrolment.models import Beneficiary

    birth = Beneficiary.objects.values_list("birth_date", flat=True).get(pk=beneficiary_id)
    return (today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))) >= 18


def estimate_request_submit(
    *,
    enrolment: Enrolment,
    by,
    beneficiary,
    act_code: str,
    price: Decimal,
    fee_sector: str,
    estimate: Estimate,
    quote,
    message: str = "",
    submission_key: str = "",
):
    return member_request_submit(
        enrolment=enrolment,
        kind=MemberRequestKind.ESTIMATE,
        by=by,
        message=message,
        documents=[("Devis", quote)],
        submission_key=submission_key,
        build_detail=lambda member_request: EstimateRequest.objects.create(
            member_request=member_request,
            beneficiary=beneficiary,
            act_code=act_code,
            fee_sector=fee_sector,
            price=price,
            ss_base=estimate.ss_base,
            ss_rate=estimate.ss_rate,
            estimate=estimate.computation.as_json(),
        ),
    )


def _estimate_accept(*, member_request, by) -> None:
    """The back office's answer to a quote, as a PDF filed for the member."""
    detail = EstimateRequest.objects.select_for_update().get(member_request=member_request)
    if detail.answer_document_id:
        return
    if not detail.answer.strip():
        raise ValidationError("Écrivez la réponse au devis avant d'accepter la demande.")
    enrolment = member_request.enrolment
    content = render_pdf(
        "benefits/estimate_answer.html",
        {
            "mutuelle": settings.MUTUELLE,
            "member_request": member_request,
            "detail": detail,
            "employee": enrolment.employee,
            "enrolment": enrolment,
            "today": timezone.localdate(),
        },
    )
    detail.answer_document = member_document_add(
        enrolment=enrolment,
        kind=MemberDocumentKind.OTHER,
        title=f"Réponse à votre devis — demande n° {member_request.number}",
        content=content,
        filename=f"reponse-devis-{member_request.number}.pdf",
        key=f"devis:{member_request.pk}",
    )
    detail.save(update_fields=["answer_document"])


def register_request_kinds() -> None:
    register_kind(MemberRequestKind.REIMBURSEMENT, on_accept=_reimbursement_accept)
    register_kind(MemberRequestKind.ESTIMATE, on_accept=_estimate_accept)
