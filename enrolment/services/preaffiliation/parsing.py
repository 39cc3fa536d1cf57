"""Parsing of single values, from a spreadsheet cell, a CSV field or a form: text,
civility, yes/no, dates, postal codes, mobile numbers."""

import datetime as dt
import re

from mutuelle.validators import french_mobile_e164

from ...enums import Civility

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
_SPACES = re.compile(r"\s")


def is_blank(value) -> bool:
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


def parse_mobile(value) -> str | None:
    """A French mobile → E.164 (« +33612345678 »), also from a number cell that lost its
    leading 0 (612345678); « » when blank; None when it is not a French mobile."""
    if is_blank(value):
        return ""
    return french_mobile_e164(as_text(value))
