"""Daily SEPA credit transfers (pain.001, sepaxml) of the mutuelle's shares (issue 9 §7).

Each unpaid line with a share goes to the beneficiary's benefit account (RIB de
prestation; the member's own benefit account when the beneficiary has none) or, in
tiers payant, to the professional. One transfer per recipient, amounts in integer cents
(sepaxml refuses anything else), zero lines left out, IBANs checked here (mod 97 and
French RIB key: sepaxml checks neither). A line without valid bank details waits for
the next batch. The back office downloads the file and marks it sent: lines then show
their payment date, and members get the "new reimbursement" alert.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sepaxml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from sepaxml import SepaTransfer

from benefits.enums import BatchStatus
from benefits.models import PaymentBatch, ReimbursementLine
from enrolment.enums import BankAccountPurpose
from enrolment.models import BankAccount
from mutuelle.validators import normalize_iban, validate_bic, validate_iban

SCHEMA = "pain.001.001.03"


@dataclass
class Transfer:
    name: str
    iban: str
    bic: str
    description: str
    lines: list = field(default_factory=list)

    @property
    def cents(self) -> int:
        return sum(int(line.mutuelle_share * 100) for line in self.lines)


def _valid_account(iban: str, bic: str) -> bool:
    try:
        validate_iban(normalize_iban(iban))
        if bic:
            validate_bic(bic)
    except ValidationError:
        return False
    return True


def _benefit_accounts(enrolment_ids) -> dict[tuple[int, int | None], BankAccount]:
    """Benefit accounts by (enrolment, beneficiary or None for the member's own): the
    rule of ``member_requests.bank.benefit_account_for``, for a whole batch in one query
    (one benefit account per holder, by constraint)."""
    return {
        (account.enrolment_id, account.beneficiary_id): account
        for account in BankAccount.objects.filter(
            enrolment_id__in=enrolment_ids, purpose=BankAccountPurpose.BENEFITS
        )
    }


def _transfers(lines, execution_date: dt.date) -> tuple[list[Transfer], list]:
    accounts = _benefit_accounts({line.enrolment_id for line in lines})
    transfers: dict[tuple, Transfer] = {}
    held = []
    for line in lines:
        if line.third_party_payment:
            professional = line.professional
            if professional is None or not _valid_account(professional.iban, professional.bic):
                held.append(line)
                continue
            key = ("pro", professional.pk)
            name, iban, bic = professional.name, professional.iban, professional.bic
            description = f"Tiers payant {settings.MUTUELLE['name']} {execution_date:%d/%m/%Y}"
        else:
            account = accounts.get((line.enrolment_id, line.beneficiary_id)) or accounts.get(
                (line.enrolment_id, None)
            )
            if account is None or not _valid_account(account.iban, account.bic):
                held.append(line)
                continue
            key = ("account", account.pk)
            name, iban, bic = account.holder, account.iban, account.bic
            # No act, amount detail or beneficiary: the bank statement is not health data.
            description = (
                f"Remboursements {settings.MUTUELLE['name']} adhérent "
                f"{line.enrolment.member_number}"
            )
        transfer = transfers.get(key)
        if transfer is None:
            transfer = transfers[key] = Transfer(
                name=name, iban=normalize_iban(iban), bic=bic, description=description
            )
        transfer.lines.append(line)
    return list(transfers.values()), held


@functools.cache
def _pain001_schema():
    import xmlschema  # imported late, as sepaxml does (it patches ElementTree)

    return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"))


def _pain001(transfers: list[Transfer], execution_date: dt.date) -> tuple[bytes, str]:
    sepa = SepaTransfer(
        {
            "name": settings.MUTUELLE["name"],
            "IBAN": settings.MUTUELLE["benefits_debtor_iban"],
            "BIC": settings.MUTUELLE["benefits_debtor_bic"],
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
    )
    for transfer in transfers:
        payment = {  # a fresh dict each time: add_payment mutates it
            "name": transfer.name,
            "IBAN": transfer.iban,
            "amount": transfer.cents,
            "execution_date": execution_date,
            "description": transfer.description,
        }
        if transfer.bic:
            payment["BIC"] = transfer.bic
        sepa.add_payment(payment)
    content = sepa.export(validate=False)
    # The same XSD check as ``export(validate=True)``, without reloading the schema
    # (about a second) for every file.
    _pain001_schema().validate(content.decode())
    return content, sepa.msg_id


def payment_batch_generate(*, execution_date: dt.date | None = None) -> PaymentBatch | None:
    """The batch of ``execution_date`` (today): created once, whatever the number of runs.
    ``None`` when there is nothing to pay."""
    execution_date = execution_date or timezone.localdate()
    with transaction.atomic():
        existing = PaymentBatch.objects.filter(execution_date=execution_date).first()
        if existing is not None:
            return existing
        lines = list(
            ReimbursementLine.objects.select_for_update(of=("self",))
            .filter(payment_batch__isnull=True, mutuelle_share__gt=0)
            .select_related("enrolment", "professional")
            .order_by("pk")
        )
        transfers, held = _transfers(lines, execution_date)
        if not transfers:
            return None
        content, message_id = _pain001(transfers, execution_date)
        paid = [line for transfer in transfers for line in transfer.lines]
        batch = PaymentBatch(
            execution_date=execution_date,
            message_id=message_id,
            transfer_count=len(transfers),
            line_count=len(paid),
            total=sum((line.mutuelle_share for line in paid), Decimal("0")),
            held_count=len(held),
        )
        batch.file.save(f"virements-{execution_date:%Y%m%d}.xml", ContentFile(content), save=False)
        batch.save()
        ReimbursementLine.objects.filter(pk__in=[line.pk for line in paid]).update(
            payment_batch=batch
        )
        return batch


def payment_batch_mark_sent(*, batch: PaymentBatch, by) -> PaymentBatch:
    """The file went to the bank: its lines are paid on the execution date, and each
    member concerned is told (one e-mail a day at most, no health data in it)."""
    from benefits.services.alerts import reimbursement_alerts_send

    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == BatchStatus.SENT:
            return batch
        batch.status = BatchStatus.SENT
        batch.sent_at = timezone.now()
        batch.sent_by = by
        batch.save(update_fields=["status", "sent_at", "sent_by"])
        batch.lines.update(paid_on=batch.execution_date)
        enrolment_ids = list(batch.lines.values_list("enrolment_id", flat=True).distinct())
        transaction.on_commit(lambda: reimbursement_alerts_send(enrolment_ids=enrolment_ids))
    return batch
