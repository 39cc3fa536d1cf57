"""Validators for French identifiers: SIRET, NIR (with civility and birth date), IBAN,
the French RIB key, BIC, postal codes and mobile numbers. Messages are in French and
name the problem."""

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from schwifty import IBAN
from schwifty.exceptions import InvalidBBANChecksum, SchwiftyException
from stdnum import bic as stdnum_bic
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

_SEPARATORS = re.compile(r"[\s.\-]")

# What a French postal address holds (La Poste / AFNOR lines): letters, digits, spaces
# and ' - , . / — starting with a letter or a digit, so that no markup and no spreadsheet
# formula (= + - @) reaches a letter, a PDF or an export.
# One class repeated (Python's engine runs it in a tight loop, twice as fast as an
# alternative tried at each character), the underscore — a word character — refused
# apart.
_POSTAL_ADDRESS_LINE = re.compile(r"[^\W_][\w '’\-,./]*")
POSTAL_ADDRESS_RULE = (
    "ne peut contenir que des lettres, des chiffres, des espaces et les signes ' - , . / "
    "(et doit commencer par une lettre ou un chiffre)."
)


def postal_address_line_ok(value: str) -> bool:
    return not value or (_POSTAL_ADDRESS_LINE.fullmatch(value) is not None and "_" not in value)


# Several lines at once (one per line, empty ones allowed): a file import checks seven
# per row.
_POSTAL_ADDRESS_LINES = re.compile(
    rf"(?:{_POSTAL_ADDRESS_LINE.pattern})?(?:\n(?:{_POSTAL_ADDRESS_LINE.pattern})?)*"
)


def postal_address_lines_ok(values: list[str]) -> bool:
    """:func:`postal_address_line_ok` of every value (none may hold a line break)."""
    joined = "\n".join(values)
    return _POSTAL_ADDRESS_LINES.fullmatch(joined) is not None and "_" not in joined


def validate_postal_address_line(value: str) -> None:
    if not postal_address_line_ok(value):
        raise ValidationError(
            f"Cette ligne d'adresse {POSTAL_ADDRESS_RULE}", code="invalid_address_line"
        )


def compact_digits(value: str) -> str:
    if value and value.isalnum():
        # No space, dot or dash to remove (a NIR as files give it): no regular
        # expression, which three checks per row of an import ran on the same value.
        return value.upper()
    return _SEPARATORS.sub("", value or "").upper()


def validate_siret(value: str) -> None:
    try:
        stdnum_siret.validate(compact_digits(value))
    except StdnumError as exc:
        raise ValidationError(
            "Le numéro SIRET est invalide (14 chiffres avec une clé de contrôle correcte).",
            code="invalid_siret",
        ) from exc


def normalize_nir(value: str) -> str:
    return compact_digits(value)


# stdnum.fr.nir.validate's format: digits, with 2A/2B for Corsica's département.
_NIR_FORMAT = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}")


def validate_nir(value: str) -> None:
    """Format, length and key (Corsica 2A/2B included).

    stdnum.fr.nir's rules on the compact value: its ``validate`` first cleans the
    number character by character again, which was a quarter of the row checks of a
    10,000-row import."""
    compact = normalize_nir(value)
    if len(compact) != 15:
        raise ValidationError(
            "Le numéro de sécurité sociale doit comporter 15 caractères (13 + clé de 2 chiffres).",
            code="nir_length",
        )
    if not _NIR_FORMAT.fullmatch(compact) or stdnum_nir.calc_check_digits(compact) != compact[13:]:
        raise ValidationError(
            "Le numéro de sécurité sociale est invalide (clé de contrôle incorrecte).",
            code="invalid_nir",
        )


def nir_consistency_errors(
    nir: str, *, civility: str | None, birth_date: dt.date | None
) -> list[str]:
    """Return French messages for a NIR that contradicts the civility or birth date.

    Legal oddities are accepted: temporary numbers (first digit 7 or 8), months 20–42
    and 50+ used when the birth month is unknown, and year mismatches are only checked
    on the two last digits.
    """
    compact = normalize_nir(nir)
    errors: list[str] = []
    if len(compact) != 15 or compact[0] in "78":
        return errors
    sex_digit, year, month = compact[0], compact[1:3], compact[3:5]
    if sex_digit not in "12":
        errors.append("Le premier chiffre du numéro de sécurité sociale doit être 1 ou 2.")
    elif civility in {"M", "MME"}:
        expected = "1" if civility == "M" else "2"
        if sex_digit != expected:
            errors.append(
                "Le numéro de sécurité sociale ne correspond pas à la civilité "
                f"(il commence par {sex_digit}, attendu {expected} pour "
                f"{'Monsieur' if civility == 'M' else 'Madame'})."
            )
    if birth_date is not None:
        if year != f"{birth_date.year % 100:02d}":
            errors.append(
                "L'année de naissance du numéro de sécurité sociale ne correspond pas "
                "à la date de naissance."
            )
        month_number = int(month)
        if 1 <= month_number <= 12 and month_number != birth_date.month:
            errors.append(
                "Le mois de naissance du numéro de sécurité sociale ne correspond pas "
                "à la date de naissance."
            )
        elif month_number == 0 or 13 <= month_number <= 19 or 43 <= month_number <= 49:
            errors.append("Le mois de naissance du numéro de sécurité sociale est impossible.")
    return errors


def format_nir(value: str) -> str:
    c = normalize_nir(value)
    if len(c) != 15:
        return c
    return f"{c[0]} {c[1:3]} {c[3:5]} {c[5:7]} {c[7:10]} {c[10:13]} {c[13:]}"


def mask_nir(value: str) -> str:
    c = normalize_nir(value)
    return f"{c[0]} •• •• •• ••• ••• {c[-2:]}" if len(c) == 15 else "•••"


def mask_nir_but_last3(value: str) -> str:
    """The form printed on a tiers-payant card: only the last three digits show."""
    c = normalize_nir(value)
    return f"• •• •• •• ••• ••{c[-3]} {c[-2:]}" if len(c) == 15 else "•••"


def normalize_iban(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_iban(value: str) -> None:
    """Length, checksum and, with schwifty's national checks, the French RIB key (and
    the other countries' BBAN keys)."""
    try:
        IBAN(normalize_iban(value), validate_bban=True)
    except InvalidBBANChecksum as exc:
        raise ValidationError(
            "La clé RIB contenue dans cet IBAN français est incorrecte."
            if normalize_iban(value).startswith(("FR", "MC"))
            else "La clé nationale contenue dans cet IBAN est incorrecte.",
            code="invalid_rib_key",
        ) from exc
    except SchwiftyException as exc:
        raise ValidationError(
            "L'IBAN est invalide : vérifiez sa longueur et sa clé de contrôle.",
            code="invalid_iban",
        ) from exc


@dataclass(frozen=True)
class KnownBank:
    bic: str
    name: str


def bank_of_iban(value: str) -> KnownBank | None:
    """The bank of a valid IBAN from schwifty's bank registry (BIC and name), or None
    when the registry does not know its bank code."""
    try:
        iban = IBAN(normalize_iban(value), validate_bban=True)
    except SchwiftyException:
        return None
    bic = iban.bic
    if bic is None or not iban.bank_name:
        return None
    return KnownBank(bic=str(bic), name=iban.bank_name)


def validate_bic(value: str) -> None:
    try:
        stdnum_bic.validate(compact_digits(value))
    except StdnumError as exc:
        raise ValidationError(
            "Le BIC est invalide (8 ou 11 caractères : banque, pays, localité, agence).",
            code="invalid_bic",
        ) from exc


# IBAN countries whose banks use another country code in their BIC.
_BIC_COUNTRY_ALIASES = {
    "FR": {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF", "BL", "MF", "MC"},
}


def validate_bic_matches_iban(bic: str, iban: str) -> None:
    bic_country = compact_digits(bic)[4:6]
    iban_country = normalize_iban(iban)[:2]
    allowed = _BIC_COUNTRY_ALIASES.get(iban_country, {iban_country})
    if bic_country and iban_country and bic_country not in allowed:
        raise ValidationError(
            f"Le pays du BIC ({bic_country}) ne correspond pas à celui de l'IBAN ({iban_country}).",
            code="bic_country_mismatch",
        )


def mask_iban(value: str) -> str:
    compact = normalize_iban(value)
    return f"{compact[:4]} •••• •••• •••• {compact[-4:]}" if len(compact) > 8 else "••••"


# The organisme de rattachement on the attestation de droits: régime, caisse and
# centre codes, 2 to 9 digits once spaces are removed.
_FUND_CODE = re.compile(r"[0-9]{2,9}")
FUND_CODE_MESSAGE = "L'organisme de rattachement doit être un code de 2 à 9 chiffres."


def normalize_insurance_fund_code(value: str) -> str:
    return (value or "").replace(" ", "")


def validate_insurance_fund_code(value: str) -> None:
    if value and not _FUND_CODE.fullmatch(normalize_insurance_fund_code(value)):
        raise ValidationError(FUND_CODE_MESSAGE, code="insurance_fund_code")


def validate_french_postal_code(value: str) -> None:
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError("Le code postal doit comporter 5 chiffres.", code="postal_code")
    if value[:2] == "00" or value[:2] in {"96", "99"}:
        raise ValidationError(
            "Ce code postal ne correspond à aucun département.", code="postal_code"
        )


def is_french_mobile(phone) -> bool:
    """+33 6 or +33 7, ten digits in national format, in a range libphonenumber knows
    as allocated (the signature code can only go to such a number)."""
    if not phone:
        return False
    try:
        number = (
            phone
            if isinstance(phone, phonenumbers.PhoneNumber)
            else phonenumbers.parse(str(phone), "FR")
        )
    except phonenumbers.NumberParseException:
        return False
    national = str(number.national_number)
    return (
        number.country_code == 33
        and len(national) == 9
        and national[0] in "67"
        and phonenumbers.is_valid_number(number)
    )


# 06…/07…, +33 6…/0033 6…, or the nine digits a spreadsheet keeps of 06… read as a number.
_FRENCH_MOBILE = re.compile(r"(?:\+33|0033|0)?([67]\d{8})")


def french_mobile_e164(value: str) -> str | None:
    """A French mobile as typed (spaces, dots and dashes allowed) → « +33612345678 »
    (what ``PhoneNumberField`` stores); None for a landline, a foreign number or a range
    that is not allocated."""
    match = _FRENCH_MOBILE.fullmatch(_SEPARATORS.sub("", value))
    if match is None or not _mobile_block_allocated(match[1][:4]):
        return None
    return f"+33{match[1]}"


@lru_cache(maxsize=2048)
def _mobile_block_allocated(block: str) -> bool:
    """Whether the mobile numbers starting with these 4 national digits are allocated.
    libphonenumber's French mobile ranges are decided by the first 3 digits (a test
    checks that 4 decide it on the installed version): one check per block instead of
    about 70 µs per row of a large import file."""
    return is_french_mobile(f"+33{block}00000")
