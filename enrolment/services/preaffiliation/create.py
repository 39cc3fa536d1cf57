"""Bulk creation: the employees, their enrolments, the affiliation requests and their
first history event, in one transaction and a fixed number of queries per batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from mutuelle.bulk import bulk_insert, planned_for_their_values
from mutuelle.fields import encrypt_many
from mutuelle.models import Company, Contract, InsuredGroup

from ...counts import enrolments_changed
from ...enums import EnrolmentStatus, PhoneSource, RequestType
from ...models import (
    NEW,
    Employee,
    Enrolment,
    EnrolmentStep,
    Request,
    RequestEvent,
    enrolment_step,
    name_key,
)
from ...tasks import create_postal_letters, send_invitations, send_provident_notices
from .checks import (
    DUPLICATE_ON_CONTRACT_MESSAGE,
    EmployeeCheck,
    PreparedEmployee,
    check_employees,
    open_nir_hashes,
)
from .fields import EMPLOYEE_FIELDS, REQUIRED_MESSAGES

INVITATION_BATCH_SIZE = 500
# PDFs take time: fewer letters per task.
LETTER_BATCH_SIZE = 200
# Rows written per round of inserts: a 175,000-row file is created in rounds whose
# lookups stay small.
CREATE_BATCH_SIZE = 2000
# Plain strings: the enum member's ``.value`` costs a descriptor call per row.
_AFFILIATION = str(RequestType.AFFILIATION.value)
_BY_EMPLOYER = str(PhoneSource.EMPLOYER.value)


class PreAffiliationInvalid(Exception):
    """Some employees handed to :func:`enrolment_pre_affiliate` are invalid.

    ``errors`` maps the row index (0-based) to ``field → [messages]``. Nothing was
    written.
    """

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = errors
        super().__init__(f"{len(errors)} salarié(s) en erreur")


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _queue_invitations(enrolment_ids: list[int]) -> None:
    for chunk in _chunks(enrolment_ids, INVITATION_BATCH_SIZE):
        # A short argsrepr: Celery would otherwise build a repr of the 500 ids for its
        # logs and events (a tenth of a 10,000-row import's time).
        send_invitations.apply_async((list(chunk),), argsrepr=f"[{len(chunk)} ids]")


def _queue_notices(enrolment_ids: list[int]) -> None:
    for chunk in _chunks(enrolment_ids, INVITATION_BATCH_SIZE):
        send_provident_notices.apply_async((list(chunk),), argsrepr=f"[{len(chunk)} ids]")


def _queue_postal_letters(enrolment_ids: list[int]) -> None:
    """The letters of employees declared without e-mail, in batches (a file import
    may bring thousands: PDFs take time)."""
    for chunk in _chunks(enrolment_ids, LETTER_BATCH_SIZE):
        create_postal_letters.apply_async((list(chunk),), argsrepr=f"[{len(chunk)} ids]")


def enrolment_pre_affiliate(
    *,
    company: Company,
    contract: Contract,
    group: InsuredGroup,
    rows: Sequence[Mapping | EmployeeCheck],
    by,
    source: str = "formulaire",
    today: dt.date | None = None,
) -> list[Enrolment]:
    """Pre-affiliate employees on ``contract``: all of them, or none.

    ``rows`` are employee data (as for :func:`check_employee`; a row may carry its own
    ``group``) or valid :class:`EmployeeCheck` objects from :func:`check_employees`,
    whose fields are not validated again. The duplicate rule is always re-checked
    inside the transaction (another correspondent may have declared the same person
    meanwhile); the database constraints back it. Any invalid row raises
    :class:`PreAffiliationInvalid` and nothing is written.

    An employee of the company with the same NIR and no open enrolment on this contract
    (a returning employee) is reused and updated with the new data.

    Creates per employee: the Employee (NIR encrypted, keyed hash), the Enrolment
    (pré-affilié), the affiliation Request (« En attente ») and its first history
    event. After commit, invitations are queued in batches (task
    ``enrolment.tasks.send_invitations``); each is sent once (notification key
    ``invitation:<enrolment id>``). Employees without e-mail get their identifiers by
    two postal letters (identifier, then provisional password), produced by the task
    ``enrolment.tasks.create_postal_letters``.

    Returns the created enrolments in the order of ``rows``, with ``employee`` loaded.
    Large batches (file imports) use :func:`enrolment_pre_affiliate_ids`, which does
    not load the objects back.
    """
    ids = enrolment_pre_affiliate_ids(
        company=company,
        contract=contract,
        group=group,
        rows=rows,
        by=by,
        source=source,
        today=today,
    )
    if not ids:
        return []
    by_id = Enrolment.objects.select_related("employee", "group").in_bulk(ids)
    return [by_id[pk] for pk in ids]


def enrolment_pre_affiliate_ids(
    *,
    company: Company,
    contract: Contract,
    group: InsuredGroup,
    rows: Sequence[Mapping | EmployeeCheck | PreparedEmployee],
    by,
    source: str = "formulaire",
    today: dt.date | None = None,
) -> list[int]:
    """:func:`enrolment_pre_affiliate` for thousands of rows: returns the enrolment ids
    (in the order of ``rows``) and keeps nothing else in memory."""
    if contract.company_id != company.pk or group.contract_id != contract.pk:
        raise ValueError("Contract and group must belong to the company.")
    today = today or timezone.localdate()
    if not rows:
        return []

    with transaction.atomic(), planned_for_their_values():
        trusted = (EmployeeCheck, PreparedEmployee)
        raw_rows = [r for r in rows if not isinstance(r, trusted)]
        # Rows checked beforehand (a file import) cost no query here.
        fresh = iter(
            check_employees(raw_rows, company=company, contract=contract, today=today)
            if raw_rows
            else ()
        )
        checks = [r if isinstance(r, trusted) else next(fresh) for r in rows]
        errors = {
            i: c.errors for i, c in enumerate(checks) if isinstance(c, EmployeeCheck) and c.errors
        }
        if not errors:
            items = [c.prepared() if isinstance(c, EmployeeCheck) else c for c in checks]
            errors = _duplicate_errors(items, contract=contract)
        if errors:
            raise PreAffiliationInvalid(errors)
        if contract.is_provident:
            step = enrolment_step(
                NEW,
                EnrolmentStatus.ACTIVE,
                label=f"Affiliation au contrat de prévoyance enregistrée par l'entreprise "
                f"({source}) : adhésion obligatoire, sans démarche du salarié",
            )
        else:
            step = enrolment_step(
                NEW,
                EnrolmentStatus.PRE_AFFILIATED,
                label=f"Pré-affiliation déclarée par l'entreprise ({source})",
            )
        ids: list[int] = []
        for start in range(0, len(items), CREATE_BATCH_SIZE):
            ids += _create(
                company=company,
                contract=contract,
                group=group,
                items=items[start : start + CREATE_BATCH_SIZE],
                by=by,
                step=step,
            )
        # Bulk inserts send no post_save: the contract's cached counts are dropped here,
        # once for all the rounds.
        enrolments_changed([contract.pk])
        if contract.is_provident:
            # Affiliated at once: the employees receive the notice d'information.
            transaction.on_commit(lambda: _queue_notices(ids))
            return ids
        transaction.on_commit(lambda: _queue_invitations(ids))
        # The one place that decides it: without an e-mail address, the identifiers
        # go by post (two letters), whichever way the employee was declared.
        by_post = [pk for pk, item in zip(ids, items, strict=True) if not item.email]
        if by_post:
            transaction.on_commit(lambda: _queue_postal_letters(by_post))
    return ids


def _duplicate_errors(items: Sequence[PreparedEmployee], *, contract: Contract) -> dict:
    """Checked again inside the transaction: another correspondent may have declared
    the same person meanwhile (the open-enrolment constraint backs this)."""
    errors: dict[int, dict[str, list[str]]] = {}
    taken = open_nir_hashes(contract=contract, among=[i.nir_hash for i in items if i.nir_hash])
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not item.nir_hash:
            errors[index] = {"nir": [REQUIRED_MESSAGES["nir"]]}
        elif item.nir_hash in taken or item.nir_hash in seen:
            errors[index] = {"nir": [DUPLICATE_ON_CONTRACT_MESSAGE]}
        seen.add(item.nir_hash)
    return errors


def _employee_ids(company: Company, hashes: Sequence[str]) -> dict[str, int]:
    """``{NIR hash: id}`` of the company's employees among ``hashes``. Plain SQL: the
    ORM prepares each value of a 2,000-value ``IN`` list one by one, in two passes.

    The condition of the constraint ``unique_employee_nir_per_company``, repeated word
    for word (the hashes are never empty), makes that constraint's index usable, and
    SQLite then looks each hash up in it. Without it SQLite, which plans without
    statistics, took the company's index and read every employee of the company for
    each round of an import, a cost that grew with the company rather than with the
    rows. PostgreSQL chooses by its statistics, as before."""
    opts, quote = Employee._meta, connection.ops.quote_name
    nir_hash = quote(opts.get_field("nir_hash").column)
    # Identifiers come from the model's metadata; values are query parameters.
    sql = (
        f"SELECT {nir_hash}, {quote(opts.pk.column)} FROM {quote(opts.db_table)} "  # noqa: S608
        f"WHERE {quote(opts.get_field('company').column)} = %s "
        f"AND {nir_hash} IN ({', '.join(['%s'] * len(hashes))}) AND NOT ({nir_hash} = '')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company.pk, *hashes])
        return dict(cursor.fetchall())


_TEXT_EMPLOYEE_FIELDS = tuple(
    f for f in EMPLOYEE_FIELDS if f not in {"nir", "birth_date", "hire_date", "alsace_moselle"}
)
# Those values of a PreparedEmployee in one C call (a getattr per field and row showed
# in the profile of a 10,000-row import).
_text_values = itemgetter(*(PreparedEmployee._fields.index(f) for f in _TEXT_EMPLOYEE_FIELDS))


# A returning employee's mobile is only replaced by one the employer declares: a number
# the employee confirmed by code is not erased by a declaration without one, and stays
# confirmed when the employer declares that same number.
_PHONE_FIELDS = ("phone", "phone_source", "phone_confirmed_at")
_RETURNING_FIELDS = tuple(f for f in EMPLOYEE_FIELDS if f not in _PHONE_FIELDS)


def _set_declared_phone(employee: Employee, phone: str) -> None:
    if not phone:
        # The attribute bypasses the phone field's descriptor, which takes no expression.
        employee.__dict__["phone"] = F("phone")
        employee.phone_source = F("phone_source")
        employee.phone_confirmed_at = F("phone_confirmed_at")
        return
    employee.phone = phone
    unchanged = When(phone=phone, then=F("phone_source"))
    employee.phone_source = Case(unchanged, default=Value(_BY_EMPLOYER))
    unchanged = When(phone=phone, then=F("phone_confirmed_at"))
    employee.phone_confirmed_at = Case(unchanged, default=Value(None))


def _create(
    *,
    company: Company,
    contract: Contract,
    group: InsuredGroup,
    items: Sequence[PreparedEmployee],
    by,
    step: EnrolmentStep,
) -> list[int]:
    """One batch: the ids of the inserted rows come back with their natural keys (an
    employee with its NIR hash, the enrolment with its employee, the affiliation
    request with its enrolment), never by a creation time."""
    hashes = [item.nir_hash for item in items]
    existing = _employee_ids(company, hashes)
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    as_date = connection.ops.adapt_datefield_value
    by_id = by.pk if by is not None else None
    # A prévoyance affiliation is in force (and its request closed) from the start.
    in_force = step.to_status == EnrolmentStatus.ACTIVE

    new = [item for item in items if item.nir_hash not in existing]
    inserted = bulk_insert(
        Employee,
        [
            "nir",
            "nir_hash",
            "birth_date",
            "hire_date",
            "alsace_moselle",
            "name_key",
            "phone_source",
            *_TEXT_EMPLOYEE_FIELDS,
        ],
        (
            (
                nir,
                item.nir_hash,
                as_date(item.birth_date),
                as_date(item.hire_date),
                bool(item.alsace_moselle),
                name_key(item.last_name, item.first_name),
                _BY_EMPLOYER if item.phone else "",
                *_text_values(item),
            )
            for item, nir in zip(new, encrypt_many([item.nir for item in new]), strict=True)
        ),
        shared={"company": company.pk, "created_at": db_now, "updated_at": db_now},
        returning="nir_hash",
    )
    if len(new) < len(items):
        # Returning employees (same NIR in the company, no open enrolment here): their
        # record is reused and updated with the new data.
        returning = []
        for item in items:
            if item.nir_hash in existing:
                employee = Employee(
                    pk=existing[item.nir_hash], company=company, nir_hash=item.nir_hash
                )
                for key in _RETURNING_FIELDS:
                    setattr(employee, key, getattr(item, key))
                _set_declared_phone(employee, item.phone)
                employee.name_key = name_key(item.last_name, item.first_name)
                employee.updated_at = now
                returning.append(employee)
        Employee.objects.bulk_update(
            returning, [*_RETURNING_FIELDS, *_PHONE_FIELDS, "name_key", "updated_at"]
        )
    employee_of = existing | inserted
    employee_ids = [employee_of[nir_hash] for nir_hash in hashes]

    enrolment_of = bulk_insert(
        Enrolment,
        ["employee", "group", "effective_date"],
        (
            (
                employee_id,
                item.group.pk if item.group is not None else group.pk,
                as_date(item.effective_date),
            )
            for employee_id, item in zip(employee_ids, items, strict=True)
        ),
        shared={
            "contract": contract.pk,
            "status": step.to_status,
            "activated_at": db_now if in_force else None,
            "created_by": by_id,
            "created_at": db_now,
            "updated_at": db_now,
        },
        # One new enrolment per employee of the batch (the open-enrolment constraint).
        returning="employee",
    )
    enrolment_ids = [enrolment_of[employee_id] for employee_id in employee_ids]

    request_of = bulk_insert(
        Request,
        ["employee", "enrolment"],
        zip(employee_ids, enrolment_ids, strict=True),
        shared={
            "company": company.pk,
            "type": _AFFILIATION,
            "status": step.request_status,
            "created_by": by_id,
            "created_at": db_now,
            "closed_at": db_now if in_force else None,
        },
        returning="enrolment",
    )
    bulk_insert(
        RequestEvent,
        ["request"],
        ((request_of[pk],) for pk in enrolment_ids),
        shared={
            "at": db_now,
            "actor": by_id,
            "label": step.label,
            "from_status": step.from_status,
            "to_status": step.to_status,
        },
    )
    return enrolment_ids
