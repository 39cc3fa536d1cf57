"""Members enrolled outside the portal (on paper, by DSN, before the portal existed),
loaded by the back office from a CSV file (``manage.py import_members FILE``).

Each row is checked on its own; the valid rows are created in one transaction (an
employee and a managed enrolment keeping the member number the mutuelle gave them, no
online account: the member creates it with « Créer mon espace »); the bad rows go to a
rejection file (same columns plus « Nature de l'erreur », re-importable once fixed).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mutuelle.addresses import postal_code_errors
from mutuelle.enums import CoverageLevel
from mutuelle.fields import keyed_hash
from mutuelle.models import Company, Contract, InsuredGroup, Offer
from mutuelle.spreadsheets import rejection_xlsx
from mutuelle.validators import nir_consistency_errors, normalize_nir, validate_nir

from ..enums import EnrolmentStatus
from ..models import MEMBER_NUMBER_OFFSET, Employee, Enrolment, MemberChange, enrolment_pk_of
from .preaffiliation.parsing import as_text, parse_civility, parse_date

COLUMNS = {
    "member_number": "N° d'adhérent",
    "siret": "SIRET de l'entreprise",
    "contract": "N° de contrat",
    "group": "Groupe d'assurés",
    "civility": "Civilité",
    "last_name": "Nom",
    "first_name": "Prénom",
    "birth_date": "Date de naissance",
    "nir": "N° de sécurité sociale",
    "address_number": "N° de voie",
    "address_street": "Libellé de la voie",
    "address_building": "Complément d'adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "effective_date": "Date d'effet",
    "offer": "Garantie",
}
REQUIRED = set(COLUMNS) - {"address_number", "address_building"}
HEADERS = list(COLUMNS.values())


class MemberFileRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class ImportResult:
    created: list[Enrolment] = field(default_factory=list)
    rejected: list[tuple[list, str]] = field(default_factory=list)

    def rejection_file(self) -> bytes:
        return rejection_xlsx(self.rejected, headers=HEADERS, sheet_title="Adhérents en erreur")


def _read_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]
    if not rows:
        raise MemberFileRefused("Le fichier est vide.")
    header = [cell.strip().rstrip("*").strip() for cell in rows[0]]
    if header != HEADERS:
        raise MemberFileRefused(
            "Les colonnes du fichier doivent être, dans cet ordre : " + " ; ".join(HEADERS) + "."
        )
    return [(row + [""] * len(HEADERS))[: len(HEADERS)] for row in rows[1:]]


class _Catalogue:
    """Companies, contracts, groups and offers named in the file, read once."""

    def __init__(self, rows: list[dict]):
        sirets = {r["siret"] for r in rows}
        self.companies = {c.siret: c for c in Company.objects.filter(siret__in=sirets)}
        contracts = Contract.objects.filter(number__in={r["contract"] for r in rows})
        self.contracts = {c.number: c for c in contracts}
        self.groups = {
            (g.contract_id, g.name.casefold()): g
            for g in InsuredGroup.objects.filter(contract__in=contracts)
        }
        self.offers = {
            (o.group_id, o.level): o for o in Offer.objects.filter(contract__in=contracts)
        }
        # NIRs already known in these companies (one member per NIR and company).
        hashes = set()
        for r in rows:
            try:
                validate_nir(normalize_nir(r["nir"]))
            except ValidationError:
                continue
            hashes.add(keyed_hash(normalize_nir(r["nir"])))
        self.known_nirs = set(
            Employee.objects.filter(
                company__in=self.companies.values(), nir_hash__in=hashes
            ).values_list("company__siret", "nir_hash")
        )
        numbers = [r["member_number"] for r in rows if r["member_number"]]
        self.taken_numbers = set(
            Enrolment.objects.filter(imported_member_number__in=numbers).values_list(
                "imported_member_number", flat=True
            )
        )


def _level(value: str) -> str | None:
    key = value.strip().casefold()
    for level in CoverageLevel:
        if key in {level.value.casefold(), level.label.casefold()}:
            return level.value
    return None


def _check(
    row: dict, catalogue: _Catalogue, seen: set[str], seen_nirs: set[tuple[str, str]]
) -> tuple[dict | None, list[str]]:
    errors = [
        f"{COLUMNS[key]} : obligatoire" for key in COLUMNS if key in REQUIRED and not row[key]
    ]
    if errors:
        return None, errors
    number = row["member_number"]
    if not number.isalnum():
        errors.append(f"{COLUMNS['member_number']} : lettres et chiffres seulement")
    elif enrolment_pk_of(number) is not None:
        errors.append(
            f"{COLUMNS['member_number']} : {number} est dans la plage des numéros donnés par "
            f"le portail (au-delà de {MEMBER_NUMBER_OFFSET})"
        )
    elif number in catalogue.taken_numbers:
        errors.append(f"{COLUMNS['member_number']} : {number} est déjà attribué")
    elif number in seen:
        errors.append(f"{COLUMNS['member_number']} : {number} figure deux fois dans le fichier")
    company = catalogue.companies.get(row["siret"].replace(" ", ""))
    contract = catalogue.contracts.get(row["contract"])
    group = offer = None
    if company is None:
        errors.append(f"{COLUMNS['siret']} : aucune entreprise cliente n'a ce SIRET")
    elif contract is None or contract.company_id != company.pk:
        errors.append(f"{COLUMNS['contract']} : aucun contrat de cette entreprise n'a ce numéro")
    else:
        group = catalogue.groups.get((contract.pk, row["group"].casefold()))
        if group is None:
            errors.append(f"{COLUMNS['group']} : groupe inconnu sur ce contrat")
        else:
            level = _level(row["offer"])
            offer = catalogue.offers.get((group.pk, level)) if level else None
            if offer is None:
                errors.append(f"{COLUMNS['offer']} : garantie non proposée à ce groupe")
    civility = parse_civility(row["civility"])
    if civility is None:
        errors.append(f"{COLUMNS['civility']} : M, Mme, Monsieur ou Madame")
    birth_date = parse_date(row["birth_date"])
    effective_date = parse_date(row["effective_date"])
    if birth_date is None:
        errors.append(f"{COLUMNS['birth_date']} : date au format JJ/MM/AAAA")
    if effective_date is None:
        errors.append(f"{COLUMNS['effective_date']} : date au format JJ/MM/AAAA")
    elif birth_date and effective_date <= birth_date:
        errors.append(f"{COLUMNS['effective_date']} : antérieure à la date de naissance")
    elif contract and effective_date < contract.start_date:
        errors.append(f"{COLUMNS['effective_date']} : antérieure au début du contrat")
    nir = normalize_nir(row["nir"])
    try:
        validate_nir(nir)
    except ValidationError as exc:
        errors.append(f"{COLUMNS['nir']} : {exc.messages[0]}")
    else:
        nir_key = (company.siret if company else "", keyed_hash(nir))
        if nir_key in catalogue.known_nirs or nir_key in seen_nirs:
            errors.append(
                f"{COLUMNS['nir']} : un salarié de cette entreprise a déjà ce numéro "
                "(dans la base ou plus haut dans le fichier)"
            )
        if civility and birth_date:
            errors += [
                f"{COLUMNS['nir']} : {m}"
                for m in nir_consistency_errors(nir, civility=civility, birth_date=birth_date)
            ]
    errors += [f"{COLUMNS['postal_code']} : {m}" for m in postal_code_errors(row["postal_code"])]
    if errors:
        return None, errors
    seen.add(number)
    seen_nirs.add((company.siret, keyed_hash(nir)))
    return {
        "member_number": number,
        "company": company,
        "contract": contract,
        "group": group,
        "offer": offer,
        "civility": civility,
        "birth_date": birth_date,
        "effective_date": effective_date,
        "nir": nir,
    }, []


def members_import(*, data: bytes, by=None) -> ImportResult:
    """Check every row; create the valid ones (all in one transaction)."""
    raw_rows = _read_rows(data)
    rows = [
        {key: as_text(value) for key, value in zip(COLUMNS, raw, strict=True)} for raw in raw_rows
    ]
    catalogue = _Catalogue(rows)
    result = ImportResult()
    valid: list[tuple[dict, dict]] = []
    seen: set[str] = set()
    seen_nirs: set[tuple[str, str]] = set()
    for raw, row in zip(raw_rows, rows, strict=True):
        checked, errors = _check(row, catalogue, seen, seen_nirs)
        if errors:
            result.rejected.append((raw, " ; ".join(errors)))
        else:
            valid.append((row, checked))
    now = timezone.now()
    with transaction.atomic():
        for row, checked in valid:
            employee = Employee(
                company=checked["company"],
                civility=checked["civility"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                birth_date=checked["birth_date"],
                nir=checked["nir"],
                # The file has no hiring date: the cover started with the contract job.
                hire_date=checked["effective_date"],
                address_number=row["address_number"],
                address_street=row["address_street"].upper(),
                address_building=row["address_building"].upper(),
                postal_code=row["postal_code"],
                city=row["city"].upper(),
            )
            employee.save()
            enrolment = Enrolment.objects.create(
                employee=employee,
                contract=checked["contract"],
                group=checked["group"],
                offer=checked["offer"],
                status=EnrolmentStatus.ACTIVE,
                effective_date=checked["effective_date"],
                activated_at=now,
                imported_member_number=checked["member_number"],
                created_by=by,
            )
            MemberChange.objects.create(
                employee=employee,
                actor=by,
                at=now,
                label="Adhérent repris des fichiers de la mutuelle (import)",
                new_value=f"N° d'adhérent {checked['member_number']}",
            )
            result.created.append(enrolment)
    return result
