import re
import unicodedata
from functools import cached_property
from pathlib import Path

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError

RULE = (
    "Votre mot de passe doit contenir au moins 8 caractères avec une minuscule, "
    "une majuscule, un chiffre et un caractère spécial."
)
FRENCH_COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords-fr.txt"


class CharacterClassesValidator:
    """The seeds' rule: 8+ characters with lower, upper, digit and special character."""

    def validate(self, password: str, user=None) -> None:
        missing = []
        if len(password) < 8:
            missing.append("au moins 8 caractères")
        if not re.search(r"[a-z]", password):
            missing.append("une minuscule")
        if not re.search(r"[A-Z]", password):
            missing.append("une majuscule")
        if not re.search(r"\d", password):
            missing.append("un chiffre")
        if not re.search(r"[^A-Za-z0-9]", password):
            missing.append("un caractère spécial")
        if missing:
            raise ValidationError(
                "Votre mot de passe doit contenir " + ", ".join(missing) + ".",
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return RULE


def _base_word(password: str) -> str:
    """ "Soleil2024!" → "soleil": the rule forces an upper case letter, digits and a
    special character, which people add around a common word; strip them off."""
    plain = unicodedata.normalize("NFKD", password).encode("ascii", "ignore").decode()
    return re.sub(r"^[^a-z]+|[^a-z]+$", "", plain.lower())


class FrenchCommonPasswordValidator:
    """Refuse a password built on a word of the French common-password list, whatever
    digits and punctuation surround it ("Azerty1!", "Motdepasse1!", "Soleil2024!").
    Django's ``CommonPasswordValidator`` (English list, exact match) stays listed too."""

    @cached_property
    def words(self) -> frozenset[str]:
        lines = FRENCH_COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
        return frozenset(
            line.strip() for line in lines if line.strip() and not line.startswith("#")
        )

    def validate(self, password: str, user=None) -> None:
        if _base_word(password) in self.words:
            raise ValidationError(
                "Ce mot de passe est trop courant : choisissez une phrase ou des mots "
                "moins faciles à deviner.",
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne peut pas être un mot de passe courant."


class MutuelleArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id sized so that a login stays well under 100 ms on the production
    machines (OWASP's minimum: 19 MiB, 2 passes, 1 lane). Django's default Argon2
    parameters took ~175 ms and PBKDF2 (1,000,000 rounds) ~240 ms per check here.
    Changing these numbers re-hashes each password at its owner's next login."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
