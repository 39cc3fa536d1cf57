"""Address checking backends. Selected by ``settings.ADDRESS_BACKEND``.

Each backend answers an :class:`AddressCheck`: the address in La Poste's format (see
:func:`mutuelle.addresses.suggest_postal_address`) and whether it was verified against a
reference. Only a real reference may call an address verified: the offline backend
formats, it does not check.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .addresses import FRANCE_NAMES, postal_text, suggest_postal_address
from .enums import AddressStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddressCheck:
    status: AddressStatus
    # The address to offer, field by field (the keys of mutuelle.addresses.ADDRESS_FIELDS).
    address: dict[str, str]

    @property
    def verified(self) -> bool:
        return self.status == AddressStatus.VERIFIED

    @property
    def label(self) -> str:
        return AddressStatus(self.status).label


class OfflineAddressBackend:
    """Development and fallback: La Poste's format only, said to be unchecked."""

    def check(self, data: Mapping) -> AddressCheck:
        return AddressCheck(AddressStatus.FORMATTED, suggest_postal_address(data))


# The result kinds that locate a street address (not only a town).
_STREET_LEVEL = {"housenumber", "street", "locality"}


class BanAddressBackend:
    """Production: the Base Adresse Nationale's geocoding service (``ADDRESS_API_URL``,
    ``/search/?q=…&limit=1``).

    The best result counts only when its score reaches ``ADDRESS_API_MIN_SCORE`` and its
    postal code and city are the ones typed: the service always answers its nearest
    match, which for « 1 La Canebière, 13001 Lyon » is in Marseille. Foreign addresses are
    not in the base. Any failure (network, timeout, HTTP error, unreadable answer) falls
    back to the offline backend: the correspondent can always go on.
    """

    def check(self, data: Mapping) -> AddressCheck:
        if postal_text(data.get("country", "")) not in FRANCE_NAMES:
            return OfflineAddressBackend().check(data)
        try:
            best = self._best_result(data)
        except (OSError, ValueError) as exc:
            logger.warning("Address service unavailable, address only formatted: %s", exc)
            return OfflineAddressBackend().check(data)
        if best is None or not self._matches(best, data):
            return AddressCheck(AddressStatus.NOT_FOUND, suggest_postal_address(data))
        found = {
            "address_number": best.get("housenumber") or data.get("address_number", ""),
            "address_street": best.get("street") or best.get("name", ""),
            "postal_code": best["postcode"],
            "city": best["city"],
        }
        return AddressCheck(AddressStatus.VERIFIED, suggest_postal_address({**data, **found}))

    def _best_result(self, data: Mapping) -> dict | None:
        words = ("address_number", "address_street", "address_locality", "postal_code", "city")
        parts = (str(data.get(key) or "").strip() for key in words)
        query = " ".join(part for part in parts if part)
        url = f"{settings.ADDRESS_API_URL}?{urllib.parse.urlencode({'q': query, 'limit': 1})}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(  # noqa: S310 - URL comes from settings
                request, timeout=settings.ADDRESS_API_TIMEOUT
            ) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            # The error carries the open response: close it, or its socket leaks.
            exc.close()
            raise OSError(f"Address service answered {exc.code}.") from exc
        features = body.get("features") if isinstance(body, dict) else None
        if not isinstance(features, list):
            raise ValueError("Address service answer without features.")
        if not features:
            return None
        properties = features[0].get("properties")
        if not isinstance(properties, dict):
            raise ValueError("Address service result without properties.")
        return properties

    def _matches(self, best: dict, data: Mapping) -> bool:
        try:
            score = float(best.get("score", 0))
        except (TypeError, ValueError):
            return False
        typed_code = "".join(str(data.get("postal_code") or "").split())
        return (
            score >= settings.ADDRESS_API_MIN_SCORE
            and best.get("type") in _STREET_LEVEL
            and best.get("postcode") == typed_code
            and postal_text(best.get("city")) == postal_text(data.get("city"))
        )


def get_address_backend():
    return import_string(settings.ADDRESS_BACKEND)()


def address_check(data: Mapping) -> AddressCheck:
    return get_address_backend().check(data)
