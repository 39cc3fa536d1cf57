"""Sécurité sociale settlement files (issue 9 §1): one file, all or nothing.

``settlement_import_create`` stores the upload privately; ``settlement_import_run``
reads it, checks and matches every row (progress saved as it goes, outside any
transaction so that the admin page can follow it), writes the rejection file, then in
ONE transaction computes the mutuelle's share of every valid row (``benefits.rules``
through the usage ledger) and creates the lines with the import's final state: after a
crash, nothing of the file is in the database. A row whose ``reference`` is already
known is skipped, so importing the same file twice changes nothing.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from benefits.enums import ImportStatus, LineSource
from benefits.models import Professional, ReimbursementLine, SettlementImport
from benefits.rules import Settlement, row_for, row_has_limits
from benefits.services.ledger import UsageLedger
from benefits.settlement_files import (
    FileRefused,
    ParsedRow,
    RowInvalid,
    build_rejection_csv,
    parse_row,
    read_rows,
)
from enrolment.enums import EnrolmentStatus
from enrolment.models import Beneficiary, Enrolment, enrolment_pk_of
from mutuelle.bulk import bulk_insert
from mutuelle.fields import keyed_hash
from mutuelle.models import GuaranteeRow
from mutuelle.validators import normalize_nir

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 2000
CHUNK = 5000
# Statuses in which the enrolment has (or had, until its end date) cover.
COVERING_STATES = frozenset(
    {EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY, EnrolmentStatus.TERMINATED}
)


@dataclass
class Person:
    beneficiary_id: int | None
    nir_hash: str
    birth_date: dt.date
    twin_rank: int
    attached_to_member_nir: bool = False


@dataclass
class Member:
    enrolment_id: int
    offer_id: int | None
    status: str
    effective_date: dt.date
    end_date: dt.date | None
    people: list[Person]

    def covered_on(self, day: dt.date) -> bool:
        return (
            self.status in COVERING_STATES
            and self.effective_date <= day
            and (self.end_date is None or day <= self.end_date)
        )

    def find(self, *, nir_hash: str, birth_date: dt.date, twin_rank: int | None) -> list[Person]:
        member_hash = self.people[0].nir_hash
        return [
            person
            for person in self.people
            if person.birth_date == birth_date
            and (twin_rank is None or person.twin_rank == twin_rank)
            and (
                person.nir_hash == nir_hash
                or (person.attached_to_member_nir and member_hash == nir_hash)
            )
        ]


@dataclass
class ValidRow:
    cells: list[str]
    row: ParsedRow
    member: Member
    person: Person
    grid_row: GuaranteeRow


class GridCache:
    """Every offer's grid rows, loaded once per import."""

    def __init__(self, offer_ids) -> None:
        self.rows: dict[int, list[GuaranteeRow]] = {}
        for row in GuaranteeRow.objects.filter(offer_id__in=set(offer_ids)):
            self.rows.setdefault(row.offer_id, []).append(row)

    def row(self, offer_id, act_code: str, fee_sector: str) -> GuaranteeRow | None:
        return row_for(self.rows.get(offer_id, ()), act_code=act_code, fee_sector=fee_sector)


def members_by_number(numbers) -> dict[str, Member]:
    """Members (with their beneficiaries) by member number, without decrypting a NIR."""
    pks = {}
    for number in numbers:
        if (pk := enrolment_pk_of(number)) is not None:
            pks[pk] = number
    members: dict[int, Member] = {}
    keys = list(pks)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for values in Enrolment.objects.filter(pk__in=chunk).values(
            "pk",
            "offer_id",
            "status",
            "effective_date",
            "end_date",
            "employee__nir_hash",
            "employee__birth_date",
        ):
            members[values["pk"]] = Member(
                enrolment_id=values["pk"],
                offer_id=values["offer_id"],
                status=values["status"],
                effective_date=values["effective_date"],
                end_date=values["end_date"],
                people=[
                    Person(None, values["employee__nir_hash"], values["employee__birth_date"], 1)
                ],
            )
        for values in Beneficiary.objects.filter(enrolment_id__in=chunk).values(
            "pk", "enrolment_id", "nir_hash", "birth_date", "twin_rank", "attached_to_member_nir"
        ):
            members[values["enrolment_id"]].people.append(
                Person(
                    values["pk"],
                    values["nir_hash"],
                    values["birth_date"],
                    values["twin_rank"],
                    values["attached_to_member_nir"],
                )
            )
    return {pks[pk]: member for pk, member in members.items()}


def known_references(references) -> set[str]:
    references = list(references)
    known = set()
    for start in range(0, len(references), CHUNK):
        known.update(
            ReimbursementLine.objects.filter(
                reference__in=references[start : start + CHUNK]
            ).values_list("reference", flat=True)
        )
    return known


def settlement_import_create(*, content: bytes, filename: str, by=None) -> SettlementImport:
    settlement_import = SettlementImport(original_name=filename[-255:], created_by=by)
    settlement_import.source_file.save(
        filename or "decomptes.csv", ContentFile(content), save=False
    )
    settlement_import.save()
    return settlement_import


def _refuse(settlement_import: SettlementImport, message: str) -> SettlementImport:
    settlement_import.status = ImportStatus.REFUSED
    settlement_import.refusal_reason = message
    settlement_import.finished_at = timezone.now()
    settlement_import.save(update_fields=["status", "refusal_reason", "finished_at"])
    return settlement_import


def settlement_import_run(*, settlement_import: SettlementImport) -> SettlementImport:
    """Check, compute and record one file. Never raises for bad content: the import
    ends ``REFUSED`` (whole file) or ``DONE`` with its counts and rejection file."""
    claimed = SettlementImport.objects.filter(
        pk=settlement_import.pk, status=ImportStatus.PENDING
    ).update(status=ImportStatus.RUNNING)
    if not claimed:  # already run (Celery redelivery): nothing twice
        settlement_import.refresh_from_db()
        return settlement_import
    settlement_import.status = ImportStatus.RUNNING
    with settlement_import.source_file.open("rb") as handle:
        content = handle.read()
    try:
        all_cells = list(read_rows(content))
    except FileRefused as refused:
        return _refuse(settlement_import, refused.message)
    except UnicodeDecodeError:
        return _refuse(settlement_import, "Fichier illisible : UTF-8 ou Windows-1252 attendu.")
    total = len(all_cells)
    SettlementImport.objects.filter(pk=settlement_import.pk).update(total_rows=total)

    valid, rejected, known = _check(settlement_import, all_cells)
    if rejected:
        settlement_import.rejection_file.save(
            "rejet.csv", ContentFile(build_rejection_csv(rejected)), save=False
        )
    with transaction.atomic():
        lines = _record(settlement_import, valid)
        settlement_import.status = ImportStatus.DONE
        settlement_import.total_rows = total
        settlement_import.processed_rows = total
        settlement_import.imported_count = len(lines)
        settlement_import.rejected_count = len(rejected)
        settlement_import.known_count = known
        settlement_import.mutuelle_total = sum(
            (line["mutuelle_share"] for line in lines), Decimal(0)
        )
        settlement_import.finished_at = timezone.now()
        settlement_import.save()
    return settlement_import


def _check(settlement_import, all_cells) -> tuple[list[ValidRow], list, int]:
    parsed: list[tuple[list[str], ParsedRow | None, str]] = []
    for cells in all_cells:
        try:
            parsed.append((cells, parse_row(cells), ""))
        except RowInvalid as invalid:
            parsed.append((cells, None, str(invalid)))
    references = {row.reference for _, row, _ in parsed if row}
    already = known_references(references)
    members = members_by_number({row.member_number for _, row, _ in parsed if row})
    grids = GridCache(member.offer_id for member in members.values())
    today = timezone.localdate()
    valid, rejected, known, seen = [], [], 0, set()
    for index, (cells, row, error) in enumerate(parsed, start=1):
        if row is not None and row.reference in already:
            known += 1
            continue
        if row is not None:
            error, person, member, grid_row = _match(row, members, grids, seen, today)
        if error:
            rejected.append((cells, error))
        else:
            seen.add(row.reference)
            valid.append(ValidRow(cells, row, member, person, grid_row))
        if index % PROGRESS_EVERY == 0:
            SettlementImport.objects.filter(pk=settlement_import.pk).update(processed_rows=index)
    return valid, rejected, known


def _match(row: ParsedRow, members, grids, seen, today):
    """(error, person, member, grid row) of one parsed row."""
    none = (None, None, None)
    if row.reference in seen:
        return ("Référence déjà présente plus haut dans le fichier.", *none)
    if row.care_date > today:
        return ("date_soins : date dans le futur.", *none)
    member = members.get(row.member_number)
    if member is None:
        return ("Numéro d'adhérent inconnu.", *none)
    people = member.find(
        nir_hash=keyed_hash(normalize_nir(row.nir)),
        birth_date=row.birth_date,
        twin_rank=row.twin_rank,
    )
    if not people:
        return (
            "Aucun bénéficiaire de cet adhérent ne correspond au NIR, à la date de naissance "
            "et au rang gémellaire.",
            *none,
        )
    if len(people) > 1:
        return ("Plusieurs bénéficiaires correspondent : indiquez le rang gémellaire.", *none)
    if not member.covered_on(row.care_date):
        return ("Le bénéficiaire n'était pas couvert à la date des soins.", *none)
    grid_row = grids.row(member.offer_id, row.act_code, row.fee_sector)
    if grid_row is None:
        return ("Code acte absent du tableau de garanties de l'adhérent.", *none)
    return "", people[0], member, grid_row


def _professionals(names) -> dict[str, Professional]:
    names = set(names)
    found = {p.name: p for p in Professional.objects.filter(name__in=names)}
    missing = [Professional(name=name) for name in sorted(names - set(found))]
    for professional in Professional.objects.bulk_create(missing):
        found[professional.name] = professional
    return found


def _record(settlement_import, valid: list[ValidRow]) -> list[ReimbursementLine]:
    if not valid:
        return []
    valid.sort(key=lambda item: (item.row.care_date, item.row.reference))
    enrolment_ids = {item.member.enrolment_id for item in valid}
    ids = sorted(enrolment_ids)
    # Serialise imports touching the same members: their allowances are read then consumed.
    for start in range(0, len(ids), CHUNK):
        list(
            Enrolment.objects.select_for_update()
            .filter(pk__in=ids[start : start + CHUNK])
            .values_list("pk", flat=True)
        )
    ledger = UsageLedger.load(
        enrolment_ids=enrolment_ids,
        act_codes={item.grid_row.act_code for item in valid if row_has_limits(item.grid_row)},
        since=valid[0].row.care_date,
    )
    professionals = _professionals(
        item.row.professional for item in valid if item.row.third_party_payment
    )
    lines = [
        settlement_line_values(
            ledger=ledger,
            enrolment_id=item.member.enrolment_id,
            beneficiary_id=item.person.beneficiary_id,
            grid_row=item.grid_row,
            row=item.row,
            source=LineSource.SOCIAL_SECURITY,
            settlement_import_id=settlement_import.pk,
            professional_id=professionals[item.row.professional].pk
            if item.row.third_party_payment
            else None,
        )
        for item in valid
    ]
    _insert_lines(lines)
    return lines


def _insert_lines(lines: list[dict]) -> None:
    """One bulk INSERT per 5,000 lines (see :func:`mutuelle.bulk.bulk_insert`): for a
    100,000-line file, the ORM's per-value work was most of the import's time. The
    values here are already of the driver's types (Decimal, date, int, str); only the
    JSON column needs its field's adapter. The creation time is the insert's."""
    names = list(lines[0])
    json_index = names.index("computation")
    json_field = ReimbursementLine._meta.get_field("computation")
    for start in range(0, len(lines), 5000):
        rows = []
        for line in lines[start : start + 5000]:
            values = list(line.values())
            values[json_index] = json_field.get_db_prep_save(values[json_index], connection)
            rows.append(tuple(values))
        bulk_insert(ReimbursementLine, names, rows)


def settlement_line_values(
    *,
    ledger: UsageLedger,
    enrolment_id: int,
    beneficiary_id: int | None,
    grid_row: GuaranteeRow,
    row: ParsedRow,
    source: str,
    settlement_import_id: int | None = None,
    professional_id: int | None = None,
) -> dict:
    """One line computed by the rule, as field values (attribute names): used by the
    import and by the back office processing a member's reimbursement request."""
    computation = ledger.compute(
        key=(enrolment_id, beneficiary_id, grid_row.act_code),
        row=grid_row,
        settlement=Settlement(
            care_date=row.care_date,
            actual_cost=row.actual_cost,
            ss_base=row.ss_base,
            ss_paid=row.ss_paid,
            ss_deductible=row.ss_deductible,
            quantity=row.quantity,
            fee_sector=row.fee_sector,
        ),
    )
    return {
        "enrolment_id": enrolment_id,
        "beneficiary_id": beneficiary_id,
        "reference": row.reference,
        "source": source,
        "settlement_import_id": settlement_import_id,
        "care_date": row.care_date,
        "act_code": row.act_code,
        "fee_sector": row.fee_sector,
        "quantity": row.quantity,
        "actual_cost": row.actual_cost,
        "ss_base": row.ss_base,
        "ss_rate": row.ss_rate,
        "ss_paid": row.ss_paid,
        "ss_deductible": row.ss_deductible,
        "mutuelle_share": computation.mutuelle,
        "out_of_pocket": computation.out_of_pocket,
        "counted_quantity": computation.counted,
        "guarantee_row_id": grid_row.pk,
        "computation": computation.as_json(),
        "third_party_payment": row.third_party_payment,
        "professional_name": row.professional,
        "professional_id": professional_id,
    }
