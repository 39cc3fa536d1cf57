"""Row checks: one employee's data (raw text from a file, or typed form values) → the
cleaned values and ``field → [French messages]``; the duplicate rules (a NIR already
open on the contract, a NIR twice in the same batch)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from sys import intern
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone

from mutuelle.addresses import postal_code_errors
from mutuelle.fields import keyed_hash
from mutuelle.models import Company, Contract, InsuredGroup
from mutuelle.validators import (
    POSTAL_ADDRESS_RULE,
    nir_consistency_errors,
    normalize_insurance_fund_code,
    normalize_nir,
    postal_address_line_ok,
    postal_address_lines_ok,
    validate_insurance_fund_code,
    validate_nir,
)

from ...enums import OPEN_STATES, Civility
from ...models import Employee, Enrolment
from ...templatetags.enrolment_format import phone_fr
from .fields import (
    ADDRESS_REQUIRED_WITHOUT_EMAIL,
    ADDRESS_TEXT_FIELDS,
    EMPLOYEE_FIELDS,
    FIELD_LABELS,
    MAX_LENGTHS,
    PHONE_MESSAGE,
    REQUIRED_FIELDS,
    REQUIRED_MESSAGES,
    TEXT_FIELDS,
)
from .parsing import (
    as_text,
    is_blank,
    normalize_postal_code,
    parse_civility,
    parse_date,
    parse_mobile,
    parse_yes_no,
)

HIRE_DATE_MAX_AHEAD_DAYS = 92
MIN_AGE_AT_HIRE = 14
MAX_AGE_AT_HIRE = 100
# Addresses that Django's e-mail validator accepts, in one regular expression (the
# validator runs several, and looks up internationalised domains): other addresses go
# through the validator itself.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+\-]+(?:\.[a-z0-9_+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '’\-.][^\W\d_]*)*$")


@dataclass
class EmployeeCheck:
    """The outcome of validating one employee: cleaned values and errors by field.

    ``nir_hash`` is set when the NIR is valid. An instance without errors, produced by
    :func:`check_employee` / :func:`check_employees`, can be handed to
    :func:`enrolment_pre_affiliate` without re-validating the fields.
    """

    data: dict
    errors: dict[str, list[str]] = field(default_factory=dict)
    nir_hash: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def messages(self) -> list[str]:
        """Every message, in the order of the fields."""
        ordered = [k for k in FIELD_LABELS if k in self.errors]
        ordered += [k for k in self.errors if k not in FIELD_LABELS]
        return [m for k in ordered for m in self.errors[k]]

    def prepared(self) -> PreparedEmployee:
        """The valid values in a compact tuple (a file of 150,000 rows keeps one per
        row until the end of the import)."""
        data = self.data
        return PreparedEmployee(
            self.nir_hash,
            *(data[key] for key in EMPLOYEE_FIELDS),
            data["effective_date"],
            data.get("group"),
        )


class PreparedEmployee(NamedTuple):
    """A validated employee, ready to be created (see :meth:`EmployeeCheck.prepared`)."""

    nir_hash: str
    civility: str
    first_name: str
    last_name: str
    birth_date: dt.date
    nir: str
    insurance_fund_code: str
    email: str
    phone: str  # E.164, or « »
    address_floor: str
    address_building: str
    address_number: str
    address_street: str
    address_locality: str
    postal_code: str
    city: str
    country: str
    payroll_id: str
    hire_date: dt.date
    alsace_moselle: bool
    effective_date: dt.date
    group: InsuredGroup | None

    def as_row_values(self) -> dict:
        """Back to the file's fields (for a rejection file)."""
        values = {key: getattr(self, key) for key in FIELD_LABELS}
        values["civility"] = "Mme" if self.civility == Civility.MRS else "M"
        values["alsace_moselle"] = "Oui" if self.alsace_moselle else "Non"
        # « 06 12 34 56 78 »: as typed in France (and « +33… » would look like a formula).
        values["phone"] = phone_fr(self.phone)
        return values


def _clean_texts(values: list) -> list[str]:
    """:func:`as_text` of each value. A row of a file is usually clean text already:
    one test on the joined row then answers for its thirteen cells."""
    try:
        joined = "|".join(values)
    except TypeError:  # a number, a date or an empty cell
        return [as_text(value) for value in values]
    if (
        joined.isprintable()
        and "  " not in joined
        and " |" not in joined
        and "| " not in joined
        and joined[:1] != " " != joined[-1:]
    ):
        return values
    return [as_text(value) for value in values]


def _clean_values(raw: Mapping, check: EmployeeCheck) -> dict:
    texts = _clean_texts([raw.get(key) for key in TEXT_FIELDS])
    data: dict = dict(zip(TEXT_FIELDS, texts, strict=True))
    # Values repeated across thousands of rows share one object (a 20 MB file keeps
    # every valid row in memory until the end of the import).
    data["postal_code"] = intern(normalize_postal_code(raw.get("postal_code")))
    data["email"] = data["email"].lower()
    data["nir"] = normalize_nir(as_text(raw.get("nir")))
    data["country"] = intern(data["country"] or "FRANCE")
    data["city"] = intern(data["city"])
    data["insurance_fund_code"] = intern(data["insurance_fund_code"])
    data["phone"] = parse_mobile(raw.get("phone"))
    if data["phone"] is None:
        data["phone"] = ""
        check.add("phone", PHONE_MESSAGE)

    civility = raw.get("civility")
    data["civility"] = parse_civility(civility)
    if data["civility"] is None and not is_blank(civility):
        check.add("civility", "La civilité doit être M, Mme, Monsieur ou Madame.")

    yes_no = raw.get("alsace_moselle")
    data["alsace_moselle"] = parse_yes_no(yes_no)
    if data["alsace_moselle"] is None and not is_blank(yes_no):
        check.add("alsace_moselle", "Le régime local Alsace-Moselle doit valoir Oui ou Non.")

    for key, label in (
        ("birth_date", "La date de naissance"),
        ("hire_date", "La date d'embauche"),
        ("effective_date", "La date d'effet du contrat"),
    ):
        value = raw.get(key)
        data[key] = _shared_date(parse_date(value))
        if data[key] is None and not is_blank(value):
            check.add(key, f"{label} doit être une date valide au format JJ/MM/AAAA.")
    for key in ("group",):
        if key in raw:
            data[key] = raw[key]
    return data


@lru_cache(maxsize=8192)
def _shared_date(day: dt.date | None) -> dt.date | None:
    return day


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_fields(data: dict, check: EmployeeCheck, *, contract: Contract | None, today: dt.date):
    for key in REQUIRED_FIELDS:
        if data.get(key) in (None, "") and key not in check.errors:
            check.add(key, REQUIRED_MESSAGES[key])

    for key, limit in MAX_LENGTHS.items():
        if len(data[key]) > limit:
            check.add(key, f"{FIELD_LABELS[key]} : {limit} caractères au maximum.")

    for key, label in (("last_name", "Le nom"), ("first_name", "Le prénom")):
        if data[key] and not _NAME_OK.match(data[key]):
            check.add(
                key,
                f"{label} ne doit contenir que des lettres, des espaces, "
                "des tirets ou des apostrophes.",
            )

    address = [data[key] for key in ADDRESS_TEXT_FIELDS]
    if not postal_address_lines_ok(address):
        for key, line in zip(ADDRESS_TEXT_FIELDS, address, strict=True):
            if not postal_address_line_ok(line):
                check.add(key, f"{FIELD_LABELS[key]} : {POSTAL_ADDRESS_RULE}")

    nir = data["nir"]
    if nir:
        try:
            validate_nir(nir)
        except ValidationError as exc:
            check.add("nir", exc.messages[0])
        else:
            check.nir_hash = keyed_hash(nir)
            for message in nir_consistency_errors(
                nir, civility=data["civility"], birth_date=data["birth_date"]
            ):
                check.add("nir", message)

    fund = normalize_insurance_fund_code(data["insurance_fund_code"])
    try:
        validate_insurance_fund_code(fund)
    except ValidationError as exc:
        check.add("insurance_fund_code", exc.messages[0])
    data["insurance_fund_code"] = fund

    if data["email"]:
        try:
            if len(data["email"]) > 320 or not _PLAIN_EMAIL.fullmatch(data["email"]):
                validate_email(data["email"])
        except ValidationError:
            check.add("email", "L'adresse e-mail est invalide (exemple : prenom.nom@domaine.fr).")
    elif contract is not None and not contract.is_provident:
        # Identifiers go by post; a prévoyance affiliation sends none (no member space
        # to open): the employer hands the notice over. Without a contract yet, whether
        # an address is needed is not known.
        for key, message in ADDRESS_REQUIRED_WITHOUT_EMAIL.items():
            if not data[key]:
                check.add(key, message)
    if data["postal_code"]:
        for message in postal_code_errors(data["postal_code"], country=data["country"]):
            check.add("postal_code", message)
    elif (data["address_street"] or data["city"]) and "postal_code" not in check.errors:
        check.add("postal_code", "Le code postal est obligatoire avec une adresse postale.")

    birth, hire, effective = data["birth_date"], data["hire_date"], data["effective_date"]
    for key, day in (("birth_date", birth), ("hire_date", hire), ("effective_date", effective)):
        if day is not None and day.year < 1900:
            check.add(key, f"{FIELD_LABELS[key]} : l'année doit être postérieure à 1900.")
    if birth is not None and birth >= today:
        check.add("birth_date", "La date de naissance doit être dans le passé.")
    if hire is not None and hire > today + dt.timedelta(days=HIRE_DATE_MAX_AHEAD_DAYS):
        check.add(
            "hire_date",
            "La date d'embauche ne peut pas dépasser de plus de 3 mois la date du jour.",
        )
    if birth is not None and hire is not None and birth < today:
        if hire < _add_years(birth, MIN_AGE_AT_HIRE):
            check.add(
                "birth_date",
                f"Le salarié doit avoir au moins {MIN_AGE_AT_HIRE} ans à la date d'embauche.",
            )
        elif hire > _add_years(birth, MAX_AGE_AT_HIRE + 1):
            check.add(
                "birth_date",
                f"Le salarié aurait plus de {MAX_AGE_AT_HIRE} ans à la date d'embauche : "
                "vérifiez la date de naissance.",
            )
    if effective is not None:
        if contract is not None and effective < contract.start_date:
            check.add(
                "effective_date",
                "La date d'effet ne peut pas précéder le début du contrat "
                f"({contract.start_date:%d/%m/%Y}).",
            )
        if hire is not None and effective < hire:
            check.add("effective_date", "La date d'effet ne peut pas précéder la date d'embauche.")


DUPLICATE_ON_CONTRACT_MESSAGE = (
    "Ce salarié (même numéro de sécurité sociale) est déjà affilié ou en cours "
    "d'affiliation sur ce contrat."
)


# Hashes per query when only some are looked up (well under the databases' limits
# on query parameters).
LOOKUP_BATCH_SIZE = 2000


def open_nir_hashes(*, contract: Contract, among: Sequence[str] | None = None) -> set[str]:
    """NIR hashes of the employees with an open enrolment on ``contract``: all of them
    (one query), or only those ``among`` the given hashes (one query per 2,000)."""
    if among is None:
        return set(
            Enrolment.objects.filter(contract=contract, status__in=OPEN_STATES)
            .exclude(employee__nir_hash="")
            .values_list("employee__nir_hash", flat=True)
        )
    # Plain SQL: the ORM prepares each value of a long IN list one by one. CROSS JOIN:
    # SQLite, which plans without statistics, then starts from the hashes (their index)
    # rather than from every open enrolment of the contract, which it read for each
    # round of an import (a cost that grew with the contract, not with the rows looked
    # up); PostgreSQL plans it as any inner join, with its statistics.
    quote = connection.ops.quote_name
    enrolments, employees = Enrolment._meta.db_table, Employee._meta.db_table
    statuses = sorted(str(s) for s in OPEN_STATES)
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(among), LOOKUP_BATCH_SIZE):
            hashes = among[start : start + LOOKUP_BATCH_SIZE]
            cursor.execute(
                f"SELECT e.{quote('nir_hash')} FROM {quote(employees)} e "  # noqa: S608
                f"CROSS JOIN {quote(enrolments)} n "
                f"WHERE n.{quote('employee_id')} = e.{quote('id')} "
                f"AND n.{quote('contract_id')} = %s "
                f"AND n.{quote('status')} IN ({', '.join(['%s'] * len(statuses))}) "
                f"AND e.{quote('nir_hash')} IN ({', '.join(['%s'] * len(hashes))})",
                [contract.pk, *statuses, *hashes],
            )
            found.update(nir_hash for (nir_hash,) in cursor.fetchall())
    return found


def check_employee(
    raw: Mapping,
    *,
    company: Company,
    contract: Contract | None,
    today: dt.date | None = None,
    taken_nir_hashes: set[str] | None = None,
) -> EmployeeCheck:
    """Validate one employee's data (raw text or typed values) for ``contract``.

    ``taken_nir_hashes`` (see :func:`open_nir_hashes`) spares one query per employee
    when many are checked; without it the duplicate rule runs its own query.
    ``contract`` is None while the group (hence the contract) is not chosen yet: every
    other rule still runs, so the form shows all its errors at once.
    """
    if contract is not None and contract.company_id != company.pk:
        raise ValueError("The contract does not belong to the company.")
    today = today or timezone.localdate()
    check = EmployeeCheck(data={})
    check.data = _clean_values(raw, check)
    _check_fields(check.data, check, contract=contract, today=today)
    if contract is None:
        return check
    group = check.data.get("group")
    if group is not None and getattr(group, "contract_id", None) != contract.pk:
        check.add("group", "Ce groupe d'assurés n'appartient pas à ce contrat.")
    if check.nir_hash:
        if taken_nir_hashes is None:
            taken = Enrolment.objects.filter(
                contract=contract, status__in=OPEN_STATES, employee__nir_hash=check.nir_hash
            ).exists()
        else:
            taken = check.nir_hash in taken_nir_hashes
        if taken:
            check.add("nir", DUPLICATE_ON_CONTRACT_MESSAGE)
    return check


def employee_errors(
    raw: Mapping, *, company: Company, contract: Contract, today: dt.date | None = None
) -> dict[str, list[str]]:
    """``field → [messages]`` for one employee (empty when valid)."""
    return check_employee(raw, company=company, contract=contract, today=today).errors


def check_employees(
    rows: Iterable[Mapping],
    *,
    company: Company,
    contract: Contract,
    today: dt.date | None = None,
    row_numbers: Sequence[int] | None = None,
) -> list[EmployeeCheck]:
    """Validate many employees with one query; a NIR found on two rows refuses both.

    ``row_numbers`` (the file's line numbers) make the duplicate message point at the
    other lines; without them rows are numbered from 1.
    """
    today = today or timezone.localdate()
    taken = open_nir_hashes(contract=contract)
    checks = [
        check_employee(raw, company=company, contract=contract, today=today, taken_nir_hashes=taken)
        for raw in rows
    ]
    mark_batch_duplicates(checks, row_numbers)
    return checks


def mark_batch_duplicates(
    checks: Sequence[EmployeeCheck], row_numbers: Sequence[int] | None = None
) -> None:
    """Refuse every row whose NIR appears on another row of the same batch."""
    numbers = list(row_numbers) if row_numbers is not None else range(1, len(checks) + 1)
    by_hash: dict[str, list[int]] = defaultdict(list)
    for index, check in enumerate(checks):
        if check.nir_hash:
            by_hash[check.nir_hash].append(index)
    for indexes in by_hash.values():
        if len(indexes) < 2:
            continue
        for index in indexes:
            others = [numbers[i] for i in indexes if i != index]
            checks[index].add("nir", batch_duplicate_message(others))


def batch_duplicate_message(other_lines: Sequence[int]) -> str:
    others = ", ".join(str(line) for line in other_lines)
    return (
        "Ce numéro de sécurité sociale figure plusieurs fois dans le fichier "
        f"(aussi ligne{'s' if len(other_lines) > 1 else ''} {others})."
    )


# ---------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------
