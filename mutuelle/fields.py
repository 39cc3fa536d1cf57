"""Encrypted model fields.

Values are encrypted with ``cryptography``'s MultiFernet built from
``settings.FIELD_ENCRYPTION_KEYS`` (newest key first): new writes use the first key,
reads accept any listed key, so keys rotate by prepending a new one and re-saving
(``manage.py rotate_field_keys``). Lookups on an encrypted column are meaningless; a
keyed hash (:func:`keyed_hash`) stored next to it is what queries use.
"""

import base64
import hmac
import os
import struct
import time
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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


def encrypt_many(values: list[str]) -> list[str]:
    """:func:`encrypt_str` for many values at once: the same Fernet tokens (version,
    time, random IV, AES-128-CBC with PKCS7 padding, HMAC-SHA256, base64url), which
    MultiFernet decrypts, at a fraction of the cost.

    Fernet builds a cipher object per value (most of its cost for a short NIR); here
    each CBC step of every value goes through one AES encryptor: block i of each value
    is XORed with its previous ciphertext block (the IV for the first) and the blocks
    of all values are encrypted in one call.
    """
    if not values:
        return []
    key = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[0])
    signing_key, encryption_key = key[:16], key[16:]
    # ECB on single blocks is AES itself: the CBC chaining is done right below.
    aes = Cipher(algorithms.AES(encryption_key), modes.ECB()).encryptor()  # noqa: S305
    header = b"\x80" + struct.pack(">Q", int(time.time()))
    ivs = os.urandom(16 * len(values))
    plains = []
    for value in values:
        data = value.encode()
        pad = 16 - len(data) % 16  # PKCS7: always 1 to 16 bytes of the pad length
        plains.append(data + bytes((pad,)) * pad)
    previous = [ivs[i * 16 : i * 16 + 16] for i in range(len(values))]
    ciphertexts = [b""] * len(values)
    block = 0
    while True:
        pending = [i for i, plain in enumerate(plains) if len(plain) > block * 16]
        if not pending:
            break
        mixed = b"".join(
            (
                int.from_bytes(plains[i][block * 16 : block * 16 + 16], "big")
                ^ int.from_bytes(previous[i], "big")
            ).to_bytes(16, "big")
            for i in pending
        )
        encrypted = aes.update(mixed)
        for n, i in enumerate(pending):
            previous[i] = encrypted[n * 16 : n * 16 + 16]
            ciphertexts[i] += previous[i]
        block += 1
    tokens = []
    for i, ciphertext in enumerate(ciphertexts):
        body = header + ivs[i * 16 : i * 16 + 16] + ciphertext
        tokens.append(
            base64.urlsafe_b64encode(body + hmac.digest(signing_key, body, "sha256")).decode()
        )
    return tokens


def decrypt_str(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted with the configured keys."
        ) from exc


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value, to find duplicates without decrypting."""
    # hmac.digest is the one-shot C path (a file import hashes every row's NIR).
    return hmac.digest(_hash_key(settings.FIELD_HASH_KEY), value.encode(), "sha256").hex()


@lru_cache(maxsize=4)
def _hash_key(key: str) -> bytes:
    return key.encode()


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
