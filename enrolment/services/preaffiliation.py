"""Pre-affiliation: the employer declares employees, by form or by file.

One set of rules serves both entry points (issue 3 §2):

- :func:`check_employee` validates one employee's data — raw strings from a file, or
  values already typed by a Django form — and returns the cleaned values and a dict
  ``field → [French messages]``. Each message is a whole sentence naming the field, so
  it reads well next to a form field and in the rejection file's « Nature de
  l'erreur ». :func:`check_employees` does the same for many rows with one query for
  the duplicate rule, and also refuses a NIR that appears twice among the rows.
- :func:`suggest_postal_address` gives the « Adresse suggérée » of the address check
  page (AFNOR NF Z10-011: upper case, no accents, lines of at most 38 characters).
- :func:`enrolment_pre_affiliate` creates, in one transaction, the employees (or reuses
  the company's record of a returning employee), their enrolments (pre-affiliated), the
  affiliation requests with a first history event, and queues the invitations after
  commit. It is built for files of 10,000 rows: bulk inserts, a fixed number of queries.

Decisions where the specification is silent:

- The effective date may not precede the hire date (nobody is covered by a company
  contract before working there) nor the contract's start date.
- The hire date may be at most 3 months ahead (``HIRE_DATE_MAX_AHEAD_DAYS``): an
  employer declares a recruit already signed, not a plan.
- The employee must be between 14 (minimum legal working age in France, apprentices)
  and 100 years old at the hire date.
- Two rows of the same batch with the same NIR are all refused: nothing tells which one
  is right.
- Without an e-mail address the identifiers go by post: the street, the postal code and
  the city are then required (the number is not: « lieu-dit » addresses have none).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from sys import intern
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from mutuelle.fields import encrypt_str, keyed_hash
from mutuelle.models import Company, Contract, InsuredGroup
from mutuelle.validators import nir_consistency_errors, normalize_nir, validate_nir

from ..enums import OPEN_STATES, Civility, EnrolmentStatus, RequestStatus, RequestType
from ..models import Employee, Enrolment, Request, RequestEvent

HIRE_DATE_MAX_AHEAD_DAYS = 92
MIN_AGE_AT_HIRE = 14
MAX_AGE_AT_HIRE = 100
INVITATION_BATCH_SIZE = 500
BULK_BATCH_SIZE = 1000

# Field keys (the Employee / Enrolment model names) and their French labels, in the
# order of the form and of the import file.
FIELD_LABELS: dict[str, str] = {
    "civility": "Civilité",
    "last_name": "Nom",
    "first_name": "Prénom",
    "birth_date": "Date de naissance",
    "nir": "Numéro de sécurité sociale",
    "insurance_fund_code": "Organisme de rattachement",
    "email": "Email",
    "address_floor": "Escalier / Étage",
    "address_building": "Bâtiment / Résidence",
    "address_number": "Numéro",
    "address_street": "Libellé de la voie",
    "address_locality": "Lieu-dit",
    "postal_code": "Code postal",
    "city": "Ville",
    "country": "Pays",
    "payroll_id": "Matricule",
    "hire_date": "Date d'embauche",
    "alsace_moselle": "Régime local Alsace-Moselle",
    "effective_date": "Date d'effet du contrat",
}
REQUIRED_FIELDS = (
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "nir",
    "hire_date",
    "alsace_moselle",
    "effective_date",
)
_REQUIRED_MESSAGES = {
    "civility": "La civilité est obligatoire.",
    "last_name": "Le nom est obligatoire.",
    "first_name": "Le prénom est obligatoire.",
    "birth_date": "La date de naissance est obligatoire.",
    "nir": "Le numéro de sécurité sociale est obligatoire.",
    "hire_date": "La date d'embauche est obligatoire.",
    "alsace_moselle": "Le régime local Alsace-Moselle (Oui ou Non) est obligatoire.",
    "effective_date": "La date d'effet du contrat est obligatoire.",
}
_ADDRESS_REQUIRED_WITHOUT_EMAIL = {
    "address_street": "Sans adresse e-mail, le libellé de la voie est obligatoire "
    "(les identifiants seront envoyés par courrier).",
    "postal_code": "Sans adresse e-mail, le code postal est obligatoire "
    "(les identifiants seront envoyés par courrier).",
    "city": "Sans adresse e-mail, la ville est obligatoire "
    "(les identifiants seront envoyés par courrier).",
}
# AFNOR: address lines of at most 38 characters; the model columns follow.
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "insurance_fund_code": 20,
    "address_floor": 38,
    "address_building": 38,
    "address_number": 10,
    "address_street": 38,
    "address_locality": 38,
    "city": 60,
    "country": 60,
    "payroll_id": 30,
    "email": 254,
}
_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "insurance_fund_code",
    "email",
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
    "country",
    "payroll_id",
)
EMPLOYEE_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "birth_date",
    "nir",
    "insurance_fund_code",
    "email",
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
    "country",
    "payroll_id",
    "hire_date",
    "alsace_moselle",
)

# ---------------------------------------------------------------------------
# Parsing of single values (shared with the forms and the file import)
# ---------------------------------------------------------------------------

_CIVILITIES = {
    "M": Civility.MR,
    "M.": Civility.MR,
    "MR": Civility.MR,
    "MR.": Civility.MR,
    "MONSIEUR": Civility.MR,
    "MME": Civility.MRS,
    "MME.": Civility.MRS,
    "MADAME": Civility.MRS,
    # "Mademoiselle" left official forms in 2012; the person is a « Madame ».
    "MLLE": Civility.MRS,
    "MADEMOISELLE": Civility.MRS,
}
_CIVILITY_VALUES = frozenset(Civility.values)
_YES = {"OUI", "O", "YES", "Y", "1", "VRAI", "TRUE"}
_NO = {"NON", "N", "NO", "0", "FAUX", "FALSE"}
_DATE_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '’\-.][^\W\d_]*)*$")
_FUND_CODE = re.compile(r"^\d{2,9}$")
_SPACES = re.compile(r"\s")
_FIVE_DIGITS = re.compile(r"\d{5}")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """A cell or form value as clean text; spreadsheet numbers lose their ``.0``."""
    if value.__class__ is str:
        # Already clean (the usual case): keep the same object, no copy per cell.
        if value.isprintable() and "  " not in value and value[:1] != " " != value[-1:]:
            return value
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def parse_civility(value) -> str | None:
    """« M », « Mme », « Monsieur », « Madame » in any case → Civility value."""
    if value in _CIVILITY_VALUES:
        return value
    return _CIVILITIES.get(as_text(value).upper())


def parse_yes_no(value) -> bool | None:
    """« Oui » / « Non » in any case (and O/N, 1/0, vrai/faux) → bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = as_text(value).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def parse_date(value) -> dt.date | None:
    """A real date (Excel, form), text JJ/MM/AAAA (also with - or .), or ISO AAAA-MM-JJ.

    A bare number is read as an Excel serial date (a date cell saved without format).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = as_text(value)
    match = _DATE_DMY.fullmatch(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _DATE_ISO.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def normalize_postal_code(value) -> str:
    """Spreadsheets drop the leading zero of 01000: put it back."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number and float(value).is_integer() and 0 < value < 100_000:
        return f"{int(value):05d}"
    return _SPACES.sub("", as_text(value))


# ---------------------------------------------------------------------------
# Postal codes and départements (offline checks)
# ---------------------------------------------------------------------------

_OVERSEAS_BY_COUNTRY = {
    "GUADELOUPE": "971",
    "MARTINIQUE": "972",
    "GUYANE": "973",
    "GUYANE FRANCAISE": "973",
    "LA REUNION": "974",
    "REUNION": "974",
    "SAINT PIERRE ET MIQUELON": "975",
    "MAYOTTE": "976",
    "SAINT BARTHELEMY": "977",
    "SAINT MARTIN": "978",
}
_FRANCE_NAMES = {"", "FRANCE", "FR", "FRA", "FRANCE METROPOLITAINE"}
# Overseas codes handled by the French postal service (Monaco uses 980xx; New
# Caledonia, French Polynesia, Wallis-et-Futuna 986–988).
_OVERSEAS_PREFIXES = {"971", "972", "973", "974", "975", "976", "977", "978", "980"}
_OVERSEAS_PREFIXES |= {"986", "987", "988"}


def postal_code_department(code: str) -> str | None:
    """The département of a French postal code, or None if none matches.

    Corsica's codes start with 20: 200xx–201xx are Corse-du-Sud (2A), 202xx–206xx
    Haute-Corse (2B). Overseas codes have a three-digit département (971…).
    """
    if not _FIVE_DIGITS.fullmatch(code or ""):
        return None
    head2, head3 = code[:2], code[:3]
    if head2 == "20":
        if head3 in {"200", "201"}:
            return "2A"
        if head3 in {"202", "203", "204", "205", "206"}:
            return "2B"
        return None
    if head2 in {"97", "98"}:
        return head3 if head3 in _OVERSEAS_PREFIXES else None
    if "01" <= head2 <= "95":
        return head2
    return None


def postal_code_errors(code: str, *, country: str = "") -> list[str]:
    """Messages for a postal code that does not exist or contradicts the country."""
    key = _country_key(country)
    if key and key not in _FRANCE_NAMES and key not in _OVERSEAS_BY_COUNTRY:
        # Foreign address: free format, within the column's length.
        if len(code) > 10:
            return ["Le code postal ne doit pas dépasser 10 caractères."]
        return []
    if not _FIVE_DIGITS.fullmatch(code):
        return ["Le code postal doit comporter 5 chiffres."]
    department = postal_code_department(code)
    if department is None:
        return [f"Le code postal {code} ne correspond à aucun département français."]
    expected = _OVERSEAS_BY_COUNTRY.get(key)
    if expected and department != expected:
        return [
            f"Le code postal {code} ne correspond pas à {country.strip()} "
            f"(les codes postaux y commencent par {expected})."
        ]
    return []


# ---------------------------------------------------------------------------
# Postal form of an address (« Adresse suggérée »)
# ---------------------------------------------------------------------------

AFNOR_LINE_LENGTH = 38
_LIGATURES = str.maketrans({"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS"})
# AFNOR XP Z10-011 abbreviations, used only when a line is too long.
_ABBREVIATIONS = {
    "AVENUE": "AV",
    "BOULEVARD": "BD",
    "BATIMENT": "BAT",
    "CHEMIN": "CHE",
    "CHAUSSEE": "CHS",
    "DOCTEUR": "DR",
    "ESCALIER": "ESC",
    "FAUBOURG": "FG",
    "GENERAL": "GAL",
    "IMPASSE": "IMP",
    "LIEU DIT": "LD",
    "MARECHAL": "MAL",
    "PLACE": "PL",
    "PRESIDENT": "PDT",
    "PROFESSEUR": "PR",
    "QUARTIER": "QUA",
    "RESIDENCE": "RES",
    "ROUTE": "RTE",
    "SAINT": "ST",
    "SAINTE": "STE",
    "SQUARE": "SQ",
    "APPARTEMENT": "APP",
    "ETAGE": "ETG",
    "LOTISSEMENT": "LOT",
}


def postal_text(value) -> str:
    """Upper case, no accents, no punctuation, single spaces (La Poste's rules)."""
    text = as_text(value).translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_ALNUM.sub(" ", text)
    return " ".join(text.upper().split())


@lru_cache(maxsize=512)
def _country_key(country: str) -> str:
    return postal_text(country)


def postal_line(value, *, limit: int = AFNOR_LINE_LENGTH) -> str:
    """One AFNOR line: postal text, abbreviated then cut if it is still too long."""
    text = postal_text(value)
    if len(text) > limit:
        for long_word, short in _ABBREVIATIONS.items():
            text = re.sub(rf"\b{long_word}\b", short, text)
            if len(text) <= limit:
                break
    return text[:limit].rstrip()


def suggest_postal_address(data: Mapping) -> dict[str, str]:
    """The postal form of an address, field by field (same keys as the input).

    The street line holds the number and the street name, so together they respect the
    38 characters; the city line holds the postal code, a space and the city.
    """
    number = postal_text(data.get("address_number", ""))
    street_room = AFNOR_LINE_LENGTH - (len(number) + 1 if number else 0)
    code = normalize_postal_code(data.get("postal_code", ""))
    city_room = AFNOR_LINE_LENGTH - (len(code) + 1 if code else 0)
    country = postal_text(data.get("country", "")) or "FRANCE"
    return {
        "address_floor": postal_line(data.get("address_floor", "")),
        "address_building": postal_line(data.get("address_building", "")),
        "address_number": number,
        "address_street": postal_line(data.get("address_street", ""), limit=street_room),
        "address_locality": postal_line(data.get("address_locality", "")),
        "postal_code": code,
        "city": postal_line(data.get("city", ""), limit=city_room),
        "country": postal_line(country),
    }


def postal_address_lines(data: Mapping) -> list[str]:
    """The address as printed on an envelope (lines 2 to 7 of AFNOR NF Z10-011)."""
    street = " ".join(p for p in (data.get("address_number"), data.get("address_street")) if p)
    city = " ".join(p for p in (data.get("postal_code"), data.get("city")) if p)
    lines = [data.get("address_floor"), data.get("address_building"), street]
    lines += [data.get("address_locality"), city]
    country = data.get("country") or ""
    if postal_text(country) not in _FRANCE_NAMES:
        lines.append(country)
    return [line for line in lines if line]


# ---------------------------------------------------------------------------
# Validation of one employee
# ---------------------------------------------------------------------------


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
        return values


def _clean_values(raw: Mapping, check: EmployeeCheck) -> dict:
    data: dict = {}
    for key in _TEXT_FIELDS:
        data[key] = as_text(raw.get(key))
    # Values repeated across thousands of rows share one object (a 20 MB file keeps
    # every valid row in memory until the end of the import).
    data["postal_code"] = intern(normalize_postal_code(raw.get("postal_code")))
    data["email"] = data["email"].lower()
    data["nir"] = normalize_nir(as_text(raw.get("nir")))
    data["country"] = intern(data["country"] or "FRANCE")
    data["city"] = intern(data["city"])
    data["insurance_fund_code"] = intern(data["insurance_fund_code"])

    civility = raw.get("civility")
    data["civility"] = parse_civility(civility)
    if data["civility"] is None and not _is_blank(civility):
        check.add("civility", "La civilité doit être M, Mme, Monsieur ou Madame.")

    yes_no = raw.get("alsace_moselle")
    data["alsace_moselle"] = parse_yes_no(yes_no)
    if data["alsace_moselle"] is None and not _is_blank(yes_no):
        check.add("alsace_moselle", "Le régime local Alsace-Moselle doit valoir Oui ou Non.")

    for key, label in (
        ("birth_date", "La date de naissance"),
        ("hire_date", "La date d'embauche"),
        ("effective_date", "La date d'effet du contrat"),
    ):
        value = raw.get(key)
        data[key] = _shared_date(parse_date(value))
        if data[key] is None and not _is_blank(value):
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


def _check_fields(data: dict, check: EmployeeCheck, *, contract: Contract, today: dt.date):
    for key in REQUIRED_FIELDS:
        if data.get(key) in (None, "") and key not in check.errors:
            check.add(key, _REQUIRED_MESSAGES[key])

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

    fund = data["insurance_fund_code"].replace(" ", "")
    if fund and not _FUND_CODE.fullmatch(fund):
        check.add(
            "insurance_fund_code",
            "L'organisme de rattachement doit être un code de 2 à 9 chiffres.",
        )
    data["insurance_fund_code"] = fund

    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            check.add("email", "L'adresse e-mail est invalide (exemple : prenom.nom@domaine.fr).")
    else:
        for key, message in _ADDRESS_REQUIRED_WITHOUT_EMAIL.items():
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
        if effective < contract.start_date:
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


def open_nir_hashes(*, contract: Contract) -> set[str]:
    """NIR hashes of the employees with an open enrolment on ``contract`` (one query)."""
    return set(
        Enrolment.objects.filter(contract=contract, status__in=OPEN_STATES)
        .exclude(employee__nir_hash="")
        .values_list("employee__nir_hash", flat=True)
    )


def check_employee(
    raw: Mapping,
    *,
    company: Company,
    contract: Contract,
    today: dt.date | None = None,
    taken_nir_hashes: set[str] | None = None,
) -> EmployeeCheck:
    """Validate one employee's data (raw text or typed values) for ``contract``.

    ``taken_nir_hashes`` (see :func:`open_nir_hashes`) spares one query per employee
    when many are checked; without it the duplicate rule runs its own query.
    """
    if contract.company_id != company.pk:
        raise ValueError("The contract does not belong to the company.")
    today = today or timezone.localdate()
    check = EmployeeCheck(data={})
    check.data = _clean_values(raw, check)
    _check_fields(check.data, check, contract=contract, today=today)
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
    from ..tasks import send_invitations

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
    ``invitation:<enrolment id>``).

    Returns the created enrolments in the order of ``rows``, with ``employee`` loaded.
    Letters for employees without e-mail (identifier letter, then provisional password
    letter) are the caller's to produce from this list:
    ``[e for e in result if not e.employee.email]``. Large batches (file imports) use
    :func:`enrolment_pre_affiliate_ids`, which does not load the objects back.
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
                    errors[index] = {"nir": [_REQUIRED_MESSAGES["nir"]]}
                elif item.nir_hash in taken or item.nir_hash in seen:
                    errors[index] = {"nir": [DUPLICATE_ON_CONTRACT_MESSAGE]}
                seen.add(item.nir_hash)
        if errors:
            raise PreAffiliationInvalid(errors)
        ids = _create(
            company=company, contract=contract, group=group, checks=checks, by=by, source=source
        )
        transaction.on_commit(lambda: _queue_invitations(ids))
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
