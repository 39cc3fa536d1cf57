"""Bulk creation: the employees, their enrolments, the affiliation requests and their
first history event, in one transaction and a fixed number of queries per batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, transaction
from django.utils import timezone

from mutuelle.fields import encrypt_str
from mutuelle.models import Company, Contract, InsuredGroup

from ...enums import EnrolmentStatus, RequestStatus, RequestType
from ...models import Employee, Enrolment, Request, RequestEvent
from ..postal_letters import postal_letters_queue
from .checks import (
    DUPLICATE_ON_CONTRACT_MESSAGE,
    EmployeeCheck,
    PreparedEmployee,
    check_employees,
    open_nir_hashes,
)
from .fields import EMPLOYEE_FIELDS, REQUIRED_MESSAGES

INVITATION_BATCH_SIZE = 500
BULK_BATCH_SIZE = 1000


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
    from ...tasks import send_invitations

    for chunk in _chunks(enrolment_ids, INVITATION_BATCH_SIZE):
        send_invitations.delay(list(chunk))


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

    with transaction.atomic():
        trusted = (EmployeeCheck, PreparedEmployee)
        raw_rows = [r for r in rows if not isinstance(r, trusted)]
        fresh = iter(check_employees(raw_rows, company=company, contract=contract, today=today))
        checks = [r if isinstance(r, trusted) else next(fresh) for r in rows]
        errors = {
            i: c.errors for i, c in enumerate(checks) if isinstance(c, EmployeeCheck) and c.errors
        }
        if not errors:
            checks = [c.prepared() if isinstance(c, EmployeeCheck) else c for c in checks]
            taken = open_nir_hashes(contract=contract)
            seen: set[str] = set()
            for index, item in enumerate(checks):
                if not item.nir_hash:
                    errors[index] = {"nir": [REQUIRED_MESSAGES["nir"]]}
                elif item.nir_hash in taken or item.nir_hash in seen:
                    errors[index] = {"nir": [DUPLICATE_ON_CONTRACT_MESSAGE]}
                seen.add(item.nir_hash)
        if errors:
            raise PreAffiliationInvalid(errors)
        ids = _create(
            company=company, contract=contract, group=group, checks=checks, by=by, source=source
        )
        transaction.on_commit(lambda: _queue_invitations(ids))
        # The one place that decides it: without an e-mail address, the identifiers
        # go by post (two letters), whichever way the employee was declared.
        postal_letters_queue(
            enrolment_ids=[pk for pk, item in zip(ids, checks, strict=True) if not item.email]
        )
    return ids


def _insert(model, fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """Plain multi-row INSERT: the ORM's bulk_create prepares each value through its
    field (about 1 µs × columns × rows), which dominated a 10,000-row import.

    Values in ``rows`` must already be database-ready. Columns not listed get their
    field's default, prepared once, so that fields added to the model later are
    filled in.
    """
    opts = model._meta
    given = [opts.get_field(name) for name in fields]
    given_names = set(fields)
    constant = [
        f
        for f in opts.concrete_fields
        if f.name not in given_names and not f.primary_key and f.column
    ]
    now = timezone.now()
    constant_values = tuple(
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in constant
    )
    columns = [f.column for f in given] + [f.column for f in constant]
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata; values are query parameters.
    table, names = quote(opts.db_table), ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row + constant_values)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


_TEXT_EMPLOYEE_FIELDS = tuple(
    f for f in EMPLOYEE_FIELDS if f not in {"nir", "birth_date", "hire_date", "alsace_moselle"}
)


def _create(*, company, contract, group, checks: list[PreparedEmployee], by, source: str):
    existing = dict(
        Employee.objects.filter(company=company).exclude(nir_hash="").values_list("nir_hash", "id")
    )
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    as_date = connection.ops.adapt_datefield_value
    by_id = by.pk if by is not None else None
    # Plain strings: an enum member's ``.value`` costs a descriptor call per row.
    pre_affiliated = str(EnrolmentStatus.PRE_AFFILIATED.value)
    affiliation = str(RequestType.AFFILIATION.value)
    waiting = str(RequestStatus.WAITING.value)

    returning: list[Employee] = []

    def new_employee_rows():
        for item in checks:
            if item.nir_hash in existing:
                employee = Employee(company=company, nir_hash=item.nir_hash, updated_at=now)
                for key in EMPLOYEE_FIELDS:
                    setattr(employee, key, getattr(item, key))
                employee.pk = existing[item.nir_hash]
                returning.append(employee)
                continue
            yield (
                company.pk,
                encrypt_str(item.nir),
                item.nir_hash,
                as_date(item.birth_date),
                as_date(item.hire_date),
                bool(item.alsace_moselle),
                db_now,
                db_now,
                *(getattr(item, key) for key in _TEXT_EMPLOYEE_FIELDS),
            )

    _insert(
        Employee,
        [
            "company",
            "nir",
            "nir_hash",
            "birth_date",
            "hire_date",
            "alsace_moselle",
            "created_at",
            "updated_at",
            *_TEXT_EMPLOYEE_FIELDS,
        ],
        new_employee_rows(),
    )
    if returning:
        Employee.objects.bulk_update(
            returning, [*EMPLOYEE_FIELDS, "updated_at"], batch_size=BULK_BATCH_SIZE
        )
    existing.clear()
    employee_ids = dict(
        Employee.objects.filter(company=company).exclude(nir_hash="").values_list("nir_hash", "id")
    )
    employee_of = [employee_ids[item.nir_hash] for item in checks]
    del employee_ids

    _insert(
        Enrolment,
        [
            "employee",
            "contract",
            "group",
            "status",
            "effective_date",
            "created_by",
            "created_at",
            "updated_at",
        ],
        (
            (
                employee_id,
                contract.pk,
                (item.group or group).pk,
                pre_affiliated,
                as_date(item.effective_date),
                by_id,
                db_now,
                db_now,
            )
            for employee_id, item in zip(employee_of, checks, strict=True)
        ),
    )
    # The open-enrolment constraint makes (employee, contract, pre-affiliated) unique.
    enrolment_of = dict(
        Enrolment.objects.filter(
            contract=contract, status=EnrolmentStatus.PRE_AFFILIATED, created_at=now
        ).values_list("employee_id", "id")
    )
    enrolment_ids = [enrolment_of[employee_id] for employee_id in employee_of]
    del enrolment_of

    _insert(
        Request,
        ["company", "employee", "enrolment", "type", "status", "created_by", "created_at"],
        (
            (
                company.pk,
                employee_id,
                enrolment_id,
                affiliation,
                waiting,
                by_id,
                db_now,
            )
            for employee_id, enrolment_id in zip(employee_of, enrolment_ids, strict=True)
        ),
    )
    request_of = dict(
        Request.objects.filter(
            company=company, type=RequestType.AFFILIATION, created_at=now
        ).values_list("enrolment_id", "id")
    )
    label = f"Pré-affiliation déclarée par l'entreprise ({source})"
    _insert(
        RequestEvent,
        ["request", "at", "actor", "label", "to_status"],
        (
            (request_of[enrolment_id], db_now, by_id, label, pre_affiliated)
            for enrolment_id in enrolment_ids
        ),
    )
    return enrolment_ids
