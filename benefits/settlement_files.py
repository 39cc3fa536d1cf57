"""The Sécurité sociale settlement file: its exact CSV format, reading and the
rejection file.

``;`` separated, UTF-8 (with or without BOM) or Windows-1252, a header row holding
exactly ``COLUMNS``, dates JJ/MM/AAAA, amounts in euros with a decimal comma,
``taux_ro`` a whole percentage. The rejection file has the same format plus
« Nature de l'erreur », so that a corrected file can be imported as is.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

COLUMNS = [
    "reference",
    "numero_adherent",
    "nir_beneficiaire",
    "date_naissance_beneficiaire",
    "rang_gemellaire",
    "date_soins",
    "code_acte",
    "secteur",
    "quantite",
    "frais_reels",
    "base_remboursement",
    "taux_ro",
    "montant_ro",
    "participation_forfaitaire",
    "tiers_payant",
    "professionnel",
]
ERROR_COLUMN = "Nature de l'erreur"
AMOUNT_COLUMNS = {
    "frais_reels": "frais réels",
    "base_remboursement": "base de remboursement",
    "montant_ro": "montant RO",
    "participation_forfaitaire": "participation forfaitaire",
}
SECTORS = {"OPTAM": "OPTAM", "NON_OPTAM": "NON_OPTAM", "": ""}
AMOUNT = re.compile(r"^-?\d{1,9}(,\d{1,2})?$")
DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
# Cells that a spreadsheet would run as a formula are kept as text in the rejection file.
FORMULA_PREFIXES = ("=", "+", "@", "\t", "\r")


class FileRefused(Exception):
    """The whole file is refused; ``message`` says why, in French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class RowInvalid(Exception):
    pass


@dataclass
class ParsedRow:
    reference: str
    member_number: str
    nir: str
    birth_date: dt.date
    twin_rank: int | None
    care_date: dt.date
    act_code: str
    fee_sector: str
    quantity: int
    actual_cost: Decimal
    ss_base: Decimal
    ss_rate: int
    ss_paid: Decimal
    ss_deductible: Decimal
    third_party_payment: bool
    professional: str


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def read_rows(content: bytes) -> Iterator[list[str]]:
    """Yield the data rows (lists of strings) after checking the header."""
    reader = csv.reader(io.StringIO(decode(content), newline=""), delimiter=";")
    header = [cell.strip() for cell in next(reader, [])]
    if header != COLUMNS:
        raise FileRefused(
            "La ligne d'en-tête doit contenir exactement ces colonnes, dans cet ordre, "
            "séparées par des points-virgules : " + ";".join(COLUMNS) + "."
        )
    for row in reader:
        if any(cell.strip() for cell in row):
            yield row


def _date(value: str, label: str) -> dt.date:
    if not DATE.match(value):
        raise RowInvalid(f"{label} : date attendue au format JJ/MM/AAAA.")
    day, month, year = value.split("/")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise RowInvalid(f"{label} : date inexistante.") from exc


def _amount(value: str, label: str) -> Decimal:
    if not AMOUNT.match(value):
        raise RowInvalid(f"{label} : montant attendu en euros avec une virgule (ex. 25,00).")
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already checked it
        raise RowInvalid(f"{label} : montant illisible.") from exc
    if amount < 0:
        raise RowInvalid(f"{label} : montant négatif.")
    return amount


def parse_row(cells: list[str]) -> ParsedRow:
    """One row's values, or ``RowInvalid`` with the first problem in French."""
    if len(cells) != len(COLUMNS):
        raise RowInvalid(f"{len(cells)} colonne(s) au lieu de {len(COLUMNS)}.")
    v = dict(zip(COLUMNS, (cell.strip() for cell in cells), strict=True))
    missing = [
        name
        for name in COLUMNS
        if not v[name] and name not in ("rang_gemellaire", "secteur", "professionnel")
    ]
    if missing:
        raise RowInvalid("Valeur manquante : " + ", ".join(missing) + ".")
    if v["secteur"] not in SECTORS:
        raise RowInvalid("secteur : OPTAM, NON_OPTAM ou vide.")
    if v["tiers_payant"] not in ("O", "N"):
        raise RowInvalid("tiers_payant : O ou N.")
    if v["tiers_payant"] == "O" and not v["professionnel"]:
        raise RowInvalid("professionnel : obligatoire en tiers payant (le professionnel est payé).")
    if not v["quantite"].isdigit() or int(v["quantite"]) < 1:
        raise RowInvalid("quantite : nombre entier supérieur ou égal à 1.")
    if not v["taux_ro"].isdigit() or int(v["taux_ro"]) > 100:
        raise RowInvalid("taux_ro : pourcentage entier entre 0 et 100 (ex. 70).")
    twin = v["rang_gemellaire"]
    if twin and (not twin.isdigit() or not 1 <= int(twin) <= 9):
        raise RowInvalid("rang_gemellaire : chiffre de 1 à 9, ou vide.")
    amounts = {name: _amount(v[name], label) for name, label in AMOUNT_COLUMNS.items()}
    if amounts["montant_ro"] > amounts["frais_reels"]:
        raise RowInvalid("Le montant RO dépasse les frais réels.")
    return ParsedRow(
        reference=v["reference"],
        member_number=v["numero_adherent"],
        nir=v["nir_beneficiaire"].replace(" ", "").upper(),
        birth_date=_date(v["date_naissance_beneficiaire"], "date_naissance_beneficiaire"),
        twin_rank=int(twin) if twin else None,
        care_date=_date(v["date_soins"], "date_soins"),
        act_code=v["code_acte"],
        fee_sector=SECTORS[v["secteur"]],
        quantity=int(v["quantite"]),
        actual_cost=amounts["frais_reels"],
        ss_base=amounts["base_remboursement"],
        ss_rate=int(v["taux_ro"]),
        ss_paid=amounts["montant_ro"],
        ss_deductible=amounts["participation_forfaitaire"],
        third_party_payment=v["tiers_payant"] == "O",
        professional=v["professionnel"],
    )


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def build_rejection_csv(rows: list[tuple[list[str], str]]) -> bytes:
    """The rejected rows as uploaded plus « Nature de l'erreur », in the import format."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*COLUMNS, ERROR_COLUMN])
    for cells, error in rows:
        writer.writerow([_safe(cell) for cell in cells] + [error])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def format_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def format_row(values: dict) -> list[str]:
    """A row in the file format, from Python values (demo data, tests, benchmarks)."""
    out = []
    for name in COLUMNS:
        value = values.get(name, "")
        if isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        elif isinstance(value, Decimal):
            value = format_amount(value)
        elif isinstance(value, bool):
            value = "O" if value else "N"
        out.append(str(value) if value is not None else "")
    return out


def build_csv(rows: list[dict]) -> bytes:
    """A settlement file (UTF-8) from rows of Python values."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(format_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8")
