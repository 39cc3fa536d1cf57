"""Small rules of written French used wherever a name follows a word: elision of « de »
and « le » before a vowel or a mute h (« d'Atelier Dupont », « l'Atelier »), agreement
with the person's gender (« l'assurée »), plurals (« 1 salarié », « 2 salariés »),
file sizes (« 5 Mo », « 1,5 Mo »), times of day and phone numbers that do not break
(« 8 h 30 », « 09 80 98 98 22 »)."""

import re
import unicodedata

VOWELS = set("aeiouy")
# Names starting with an aspirated h take no elision; the few common in company and
# given names are listed (« de Hollande », « de Hugues » keeps « d' » though).
ASPIRATED_H = ("hollande", "hongrie", "hauts-de-", "haute-", "havre", "hêtre", "halle")


def _plain(word: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c)
    )


def elides(word: str) -> bool:
    """Whether « de », « le », « que »… lose their vowel before ``word``."""
    plain = _plain(str(word).strip())
    if not plain:
        return False
    if plain[0] in VOWELS:
        return True
    return plain[0] == "h" and not plain.startswith(ASPIRATED_H)


def de(word) -> str:
    """« de Boulangerie Martin », « d'Atelier Dupont »."""
    word = str(word).strip()
    return f"d'{word}" if elides(word) else f"de {word}"


def le(word) -> str:
    """« le Médiateur », « l'Atelier »."""
    word = str(word).strip()
    return f"l'{word}" if elides(word) else f"le {word}"


# The civility codes of enrolment.enums.Civility (a higher layer) that are feminine.
FEMININE_CIVILITIES = frozenset({"MME"})


def is_feminine(civility: str) -> bool:
    return civility in FEMININE_CIVILITIES


def gendered(civility: str, masculine: str, feminine: str) -> str:
    """The form agreeing with the person (« assuré » / « assurée »)."""
    return feminine if is_feminine(civility) else masculine


def plural(count: int, singular: str, plural_form: str) -> str:
    """« 1 salarié validé », « 0 salarié », « 2 salariés validés »: in French the
    singular goes with 0 and 1."""
    return f"{count} {singular if abs(count) < 2 else plural_form}"


FILE_SIZE_UNITS = ("Ko", "Mo", "Go")


def file_size(num_bytes: int) -> str:
    """« 512 octets », « 20 Ko », « 1,5 Mo », « 5 Mo »: the units French readers know
    (multiples of 1 024, as their systems show them), one decimal at most, none when it
    is zero (Django's filesizeformat says « 5,0 Mio »)."""
    size = float(num_bytes or 0)
    if size < 1024:
        return plural(int(size), "octet", "octets")
    for unit in FILE_SIZE_UNITS:
        size /= 1024
        if size < 1024 or unit == FILE_SIZE_UNITS[-1]:
            break
    rounded = round(size, 1)
    number = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}".replace(".", ",")
    return f"{number}\u00a0{unit}"


# « 8 h 30 », « 18 h »: the hour, the spaces around its « h », its minutes.
TIME_OF_DAY = re.compile(r"(?<![\d,])(\d{1,2})\s+h(?:\s+(\d{2}))?(?!\w)")


def hours(text) -> str:
    """Opening hours whose times never break across lines: « de 8 h 30 à 18 h » with
    non-breaking spaces inside « 8 h 30 » and « 18 h » (the spaces between words stay)."""
    return TIME_OF_DAY.sub(
        lambda m: f"{m[1]}\u00a0h" + (f"\u00a0{m[2]}" if m[2] else ""), str(text)
    )


# The spaces between two digits of a phone number: « 09 80 98 98 22 », « +33 9 80 98 98 22 ».
DIGIT_SPACE = re.compile(r"(?<=\d)[ \t]+(?=\d)")


def phone(text) -> str:
    """A phone number that never breaks across lines on a page or in a PDF: the spaces
    between its digit groups become non-breaking ones. Plain-text e-mails and SMS keep
    normal spaces: the filter is for HTML templates."""
    return DIGIT_SPACE.sub("\u00a0", str(text))
