"""French postal addresses (AFNOR NF Z10-011), for :class:`mutuelle.models.PostalAddress`
and the forms and files that fill one: départements of postal codes, the postal form of
an address (« Adresse mise en forme, non vérifiée »: upper case, no accents, lines of at most 38
characters) and the lines printed on an envelope."""

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

# The fields of an address, as named on PostalAddress, the forms and the import file.
ADDRESS_FIELDS = (
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
    "country",
)
_FIVE_DIGITS = re.compile(r"\d{5}")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_SPACES = re.compile(r"\s")

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
FRANCE_NAMES = {"", "FRANCE", "FR", "FRA", "FRANCE METROPOLITAINE"}
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
    if key and key not in FRANCE_NAMES and key not in _OVERSEAS_BY_COUNTRY:
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
    text = str(value or "")
    if not text.isascii():
        # Only accented text needs decomposing (a file import computes a name key per
        # row, most of them plain ASCII).
        text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
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
    code = _SPACES.sub("", data.get("postal_code") or "")
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


def address_lines(data: Mapping) -> list[str]:
    """The address as printed on an envelope (lines 2 to 7 of AFNOR NF Z10-011); the
    country only when it is not France."""
    street = " ".join(p for p in (data.get("address_number"), data.get("address_street")) if p)
    city = " ".join(p for p in (data.get("postal_code"), data.get("city")) if p)
    lines = [data.get("address_floor"), data.get("address_building"), street]
    lines += [data.get("address_locality"), city]
    country = data.get("country") or ""
    if _country_key(country) not in FRANCE_NAMES:
        lines.append(country)
    return [line for line in lines if line]
