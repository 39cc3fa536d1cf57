import re

from django.core.exceptions import ValidationError

RULE = (
    "Votre mot de passe doit contenir au moins 8 caractères avec une minuscule, "
    "une majuscule, un chiffre et un caractère spécial."
)


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
