"""Contributions: instalments from the schedule, direct-debit batches (pain.008 with
sepaxml), returned debits turning instalments into arrears, and their settlement.

Amounts are Decimal euros in the database and integer cents in the SEPA file (sepaxml
refuses anything else); a batch's total is checked against the file's control sum.
"""

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections import defaultdict
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import sepaxml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone
from lxml import etree
from sepaxml import SepaDD

from enrolment.enums import COVERED_STATES, MemberDocumentKind
from enrolment.models import Enrolment, member_number_of
from enrolment.services.member_documents import member_document_add
from member_requests.bank import mandate_in_force
from member_requests.enums import MandateStatus as M
from member_requests.models import SepaMandate
from mutuelle.enums import Channel
from mutuelle.models import User
from mutuelle.notifications import Notification, notification_send_many
from mutuelle.pdf import render_pdf

from .enums import RETURN_REASONS, BatchStatus, InstalmentStatus, SequenceType
from .models import DebitBatch, Instalment, end_to_end_id
from .schedule import schedule_lines, year_schedule

I = InstalmentStatus  # noqa: E741
PAIN008 = "pain.008.001.02"
# What a batch reads of a mandate (not its evidence or history).
MANDATE_FIELDS = (
    "enrolment_id",
    "reference",
    "holder",
    "iban",
    "bic",
    "status",
    "signed_on",
    "usable_from",
    "revoked_from",
    "first_debit_sent_on",
)


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# --- instalments -------------------------------------------------------------------------


def instalments_generate(*, enrolment: Enrolment, until: dt.date) -> list[Instalment]:
    """Create the instalments due up to ``until`` that do not exist yet, and bring the
    amount of those not yet presented in line with the schedule (a beneficiary added
    or removed changes the contribution from its effective date)."""
    lines = schedule_lines(enrolment, start=dt.date(enrolment.effective_date.year, 1, 1), end=until)
    with transaction.atomic():
        existing = {
            i.due_date: i
            for i in Instalment.objects.select_for_update().filter(enrolment=enrolment)
        }
        created, changed = [], []
        for line in lines:
            instalment = existing.get(line.due_date)
            if instalment is None:
                created.append(
                    Instalment(
                        enrolment=enrolment,
                        due_date=line.due_date,
                        period_start=line.period_start,
                        period_end=line.period_end,
                        amount=line.amount,
                    )
                )
            elif instalment.status == I.SCHEDULED and instalment.amount != line.amount:
                instalment.amount = line.amount
                changed.append(instalment)
        Instalment.objects.bulk_create(created)
        Instalment.objects.bulk_update(changed, ["amount"])
    return created


def instalments_follow_beneficiaries(*, member_request, by=None) -> None:
    """After a beneficiary change is accepted: the instalments already scheduled (and
    those due up to the effective date) take the new contribution."""
    enrolment = member_request.enrolment
    last = Instalment.objects.filter(enrolment=enrolment).order_by("-due_date").first()
    effective = member_request.beneficiary_change.effective_date
    until = max(last.due_date if last else effective, effective)
    instalments_generate(enrolment=enrolment, until=until)


def debited_enrolments():
    """Covered members whose contract debits part of the contribution from them."""
    return Enrolment.objects.filter(
        status__in=sorted(COVERED_STATES), offer__isnull=False, debit_day__isnull=False
    ).exclude(debit_frequency="")


# --- direct-debit batches ------------------------------------------------------------------


def _creditor_config() -> dict:
    creditor = settings.SEPA_CREDITOR
    return {
        "name": settings.MUTUELLE["sepa_creditor_name"],
        "IBAN": creditor["iban"],
        "BIC": creditor["bic"],
        "batch": True,
        "creditor_id": settings.MUTUELLE["sepa_creditor_ics"],
        "currency": "EUR",
    }


def _mandates_by_enrolment(enrolment_ids: models.QuerySet) -> dict[int, list[SepaMandate]]:
    """The usable (active or revoked) mandates of the enrolments ``enrolment_ids``
    selects, in one query. Every validated enrolment has its form's mandate row (created
    at validation), so a batch only reads them."""
    by_enrolment: dict[int, list[SepaMandate]] = defaultdict(list)
    for mandate in SepaMandate.objects.filter(
        enrolment_id__in=enrolment_ids, status__in=[M.ACTIVE, M.REVOKED]
    ).only(*MANDATE_FIELDS):
        by_enrolment[mandate.enrolment_id].append(mandate)
    return by_enrolment


@lru_cache(maxsize=1)
def _pain008_schema() -> etree.XMLSchema:
    """sepaxml's own pain.008.001.02 XSD, loaded once and checked with lxml (sepaxml's
    ``export(validate=True)`` runs the same XSD through a pure-Python validator, about
    a hundred times slower on a file of 10,000 debits)."""
    path = Path(sepaxml.__file__).parent / "schemas" / f"{PAIN008}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def _check_against_schema(xml: bytes) -> None:
    schema = _pain008_schema()
    document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False))
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise ValidationError(f"Fichier SEPA invalide : {error.message} (ligne {error.line})")


def _mark_presented(batch: DebitBatch, included: list[tuple[int, str, int]]) -> None:
    """Batch, status, mandate and sequence of every instalment (``included``: mandate,
    sequence, instalment), then the first use of each mandate: two statements whatever
    the number of instalments (the first one run once per row, in one call)."""
    table = connection.ops.quote_name(Instalment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET batch_id = %s, status = %s, mandate_id = %s,"  # noqa: S608 - table name from the model
            " sequence_type = %s WHERE id = %s",
            [(batch.pk, I.PRESENTED.value, *row) for row in included],
        )
    SepaMandate.objects.filter(
        pk__in=Instalment.objects.filter(batch=batch, sequence_type=SequenceType.FIRST).values(
            "mandate_id"
        )
    ).update(first_debit_sent_on=batch.collection_date)


def debit_batch_build(*, collection_date: dt.date, by: User | None = None) -> DebitBatch:
    """The pain.008 file of every instalment still to debit on ``collection_date``:
    first debit (FRST) on a mandate never used, recurring (RCUR) after. An instalment
    without a usable mandate stays out (listed in the error). A constant number of
    queries whatever the number of instalments."""
    due = Instalment.objects.filter(
        status=I.SCHEDULED, due_date=collection_date, batch__isnull=True
    )
    with transaction.atomic():
        # Plain rows, not models: 10,000 instalments are read, never their members' data.
        instalments = list(
            due.select_for_update(of=("self",))
            .order_by("id")
            .values_list(
                "pk",
                "enrolment_id",
                "enrolment__imported_member_number",
                "amount",
                "period_start",
                "period_end",
            )
        )
        if not instalments:
            raise ValidationError(f"Aucune échéance à prélever le {collection_date:%d/%m/%Y}.")
        mandates = _mandates_by_enrolment(due.values("enrolment_id"))
        message_id = f"PRLV-{collection_date:%Y%m%d}-{secrets.token_hex(6).upper()}"
        sepa = SepaDD(_creditor_config(), schema=PAIN008, clean=True)
        included, without_mandate, total = [], [], Decimal("0.00")
        for pk, enrolment_id, imported_number, amount, start, end in instalments:
            mandate = mandate_in_force(mandates[enrolment_id], collection_date)
            member_number = member_number_of(enrolment_id, imported_number)
            if mandate is None:
                without_mandate.append(member_number)
                continue
            # One instalment per enrolment and date: a mandate appears once per batch.
            sequence = (
                SequenceType.FIRST
                if mandate.first_debit_sent_on is None
                else SequenceType.RECURRING
            )
            sepa.add_payment(
                {
                    "name": mandate.holder,
                    "IBAN": mandate.iban,
                    "BIC": mandate.bic,
                    "amount": cents(amount),
                    "type": sequence.value,
                    "collection_date": collection_date,
                    "mandate_id": mandate.reference,
                    "mandate_date": mandate.signed_on or mandate.usable_from,
                    "description": (
                        f"Cotisation {start:%m/%Y}-{end:%m/%Y} adherent {member_number}"
                    ),
                    "endtoend_id": end_to_end_id(pk),
                }
            )
            included.append((mandate.pk, sequence.value, pk))
            total += amount
        if without_mandate:
            raise ValidationError(
                "Sans mandat utilisable à cette date : "
                + ", ".join(f"adhérent {number}" for number in without_mandate)
            )
        xml = sepa.export(validate=False)
        _check_against_schema(xml)
        batch = DebitBatch(
            collection_date=collection_date,
            message_id=message_id,
            count=len(included),
            total=total,
            created_by=by,
        )
        batch.file.save(f"{message_id}.xml", ContentFile(xml), save=False)
        try:
            batch.save()
            _mark_presented(batch, included)
        except BaseException:
            batch.file.delete(save=False)
            raise
    return batch


def debit_batch_mark_sent(*, batch: DebitBatch, by: User) -> DebitBatch:
    with transaction.atomic():
        locked = DebitBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BatchStatus.SENT:
            return locked
        locked.status = BatchStatus.SENT
        locked.sent_at = timezone.now()
        locked.sent_by = by
        locked.save(update_fields=["status", "sent_at", "sent_by"])
    return locked


def instalments_mark_paid(*, collection_date: dt.date) -> int:
    """Presented debits not returned within the settlement period are paid."""
    return Instalment.objects.filter(
        status=I.PRESENTED, due_date__lte=collection_date, batch__status=BatchStatus.SENT
    ).update(status=I.PAID)


# --- returned debits -------------------------------------------------------------------------


def debit_returns_record(
    *, returns: list[tuple[str, str]], by: User | None = None
) -> list[Instalment]:
    """Returned debits (R-transactions) as (end-to-end reference, reason code): each
    instalment becomes arrears, and its member is told. A return already recorded is
    ignored; an unknown reference or reason refuses the whole list."""
    errors = []
    wanted: dict[int, str] = {}
    for line, (reference, reason) in enumerate(returns, start=1):
        reference, reason = reference.strip(), reason.strip().upper()
        pk = reference.removeprefix("ECH-")
        if not (reference.startswith("ECH-") and pk.isdigit()):
            errors.append(f"ligne {line} : référence « {reference} » inconnue")
            continue
        if reason not in RETURN_REASONS:
            errors.append(f"ligne {line} : motif « {reason} » inconnu")
            continue
        wanted[int(pk)] = reason
    with transaction.atomic():
        instalments = {
            i.pk: i
            for i in Instalment.objects.select_for_update(of=("self",))
            .filter(pk__in=list(wanted))
            .select_related("enrolment__employee__user")
        }
        errors += [f"référence « ECH-{pk} » inconnue" for pk in wanted if pk not in instalments]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        changed = []
        for pk, reason in wanted.items():
            instalment = instalments[pk]
            if instalment.status in {I.ARREARS, I.SETTLED}:
                continue
            if instalment.status not in {I.PRESENTED, I.PAID}:
                raise ValidationError(
                    f"L'échéance ECH-{pk} n'a pas été prélevée : elle ne peut pas être rejetée."
                )
            instalment.status = I.ARREARS
            instalment.return_reason = reason
            instalment.returned_at = now
            changed.append(instalment)
        Instalment.objects.bulk_update(changed, ["status", "return_reason", "returned_at"])
        notification_send_many(
            channel=Channel.EMAIL,
            template="contribution_returned",
            notifications=[
                Notification(
                    key=f"contribution-returned:{i.pk}",
                    to=i.enrolment.employee.contact_email,
                    context={
                        "employee": i.enrolment.employee,
                        "instalment": i,
                        "reason": RETURN_REASONS[i.return_reason],
                    },
                )
                for i in changed
            ],
        )
    return changed


def debit_returns_parse(content: bytes) -> list[tuple[str, str]]:
    """A returns file: CSV (« ; » or « , ») with the reference and the reason code per
    line; a header line is allowed."""
    text = content.decode("utf-8-sig", errors="replace")
    dialect = csv.Sniffer().sniff(text[:1024], delimiters=";,") if text.strip() else csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if rows and not rows[0][0].strip().upper().startswith("ECH-"):
        rows = rows[1:]
    if any(len(row) < 2 for row in rows):
        raise ValidationError("Chaque ligne doit contenir la référence et le motif du rejet.")
    return [(row[0], row[1]) for row in rows]


# --- the schedule in « Mes documents » ---------------------------------------------------------


def schedule_pdf(enrolment: Enrolment, year: int) -> bytes:
    lines = year_schedule(enrolment, year)
    return render_pdf(
        "contributions/schedule.html",
        {
            "enrolment": enrolment,
            "employee": enrolment.employee,
            "year": year,
            "lines": lines,
            "total": sum((line.amount for line in lines), Decimal("0.00")),
            "mutuelle": settings.MUTUELLE,
            "frequency": enrolment.get_debit_frequency_display(),
        },
    )


def schedule_document_file(*, enrolment: Enrolment, year: int):
    """The year's schedule as a PDF in « Mes documents » (a new one each time the
    amounts change: beneficiary added or removed)."""
    lines = year_schedule(enrolment, year)
    digest = hashlib.sha256(
        ";".join(f"{line.due_date}:{line.amount}" for line in lines).encode()
    ).hexdigest()[:16]
    return member_document_add(
        enrolment=enrolment,
        kind=MemberDocumentKind.SCHEDULE,
        title=f"Échéancier de cotisations {year}",
        content=schedule_pdf(enrolment, year),
        filename=f"echeancier-{year}.pdf",
        key=f"schedule:{enrolment.pk}:{year}:{digest}",
    )
