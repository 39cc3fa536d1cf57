"""Encrypted model fields.

Values are encrypted with ``cryptography``'s MultiFernet built from
``settings.FIELD_ENCRYPTION_KEYS`` (newest key first): new writes use the first key,
reads accept any listed key, so keys rotate by prepending a new one and re-saving
(``manage.py rotate_field_keys``). Lookups on an encrypted column are meaningless; a
keyed hash (:func:`keyed_hash`) stored next to it is what queries use.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_str(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt_str(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted with the configured keys."
        ) from exc


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value, to find duplicates without decrypting."""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """Stores text encrypted at rest; Python code sees the clear value."""

    description = "Texte chiffré"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_str(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
