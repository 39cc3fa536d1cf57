"""Address checking: the offline backend only formats; the production one asks the Base
Adresse Nationale (a fake service here) and calls an address verified only when the
best match is certain enough and in the postal code and city typed."""

import pytest

from mutuelle.address_check import address_check
from mutuelle.enums import AddressStatus


def typed(number, street, code, city, country="France"):
    return {
        "address_number": number,
        "address_street": street,
        "postal_code": code,
        "city": city,
        "country": country,
    }


CANEBIERE_IN_LYON = typed("1", "La Canebière", "13001", "Lyon")
LIBERATION = typed("8", "boulevard de la Libération", "13001", "Marseille")


def test_offline_backend_formats_and_says_it_is_not_verified(settings):
    result = address_check(CANEBIERE_IN_LYON)
    assert result.status == AddressStatus.FORMATTED and not result.verified
    assert result.label == "Adresse mise en forme, non vérifiée"
    assert result.address["address_street"] == "LA CANEBIERE"
    assert result.address["city"] == "LYON"


def test_verified_address_in_la_poste_format(address_api):
    result = address_check(LIBERATION)
    assert result.verified and result.label == "Adresse vérifiée"
    assert result.address["address_number"] == "8"
    assert result.address["address_street"] == "BOULEVARD DE LA LIBERATION"
    assert (result.address["postal_code"], result.address["city"]) == ("13001", "MARSEILLE")
    [query] = address_api.queries
    assert query == {"q": ["8 boulevard de la Libération 13001 Marseille"], "limit": ["1"]}


def test_a_match_in_another_city_is_not_verified(address_api):
    """The service answers La Canebière in Marseille (score 0.71): not the Lyon typed."""
    result = address_check(CANEBIERE_IN_LYON)
    assert result.status == AddressStatus.NOT_FOUND and not result.verified
    assert result.address["city"] == "LYON"  # the typed address, formatted, not Marseille


def test_a_weak_or_town_level_match_is_not_verified(address_api, settings):
    assert address_check(typed("12", "rue Imaginaire", "13001", "Marseille")).status == (
        AddressStatus.NOT_FOUND
    )
    settings.ADDRESS_API_MIN_SCORE = 0.95
    assert address_check(LIBERATION).status == AddressStatus.NOT_FOUND


def test_nothing_found_is_not_verified(address_api):
    result = address_check(typed("3", "allée des Songes", "75011", "Paris"))
    assert result.status == AddressStatus.NOT_FOUND


@pytest.mark.parametrize(
    "failure",
    [{"status": 503}, {"delay": 0.5}, {"raw_body": b"<html>maintenance</html>"}],
    ids=["http-error", "timeout", "not-json"],
)
def test_service_failure_falls_back_to_formatting(address_api, settings, failure, caplog):
    settings.ADDRESS_API_TIMEOUT = 0.2
    for name, value in failure.items():
        setattr(address_api, name, value)
    result = address_check(LIBERATION)
    assert result.status == AddressStatus.FORMATTED
    assert result.address["address_street"] == "BOULEVARD DE LA LIBERATION"
    assert "Address service unavailable" in caplog.text


def test_unreachable_service_falls_back(address_api, settings):
    settings.ADDRESS_API_URL = "http://127.0.0.1:9/search/"  # discard port: refused
    assert address_check(LIBERATION).status == AddressStatus.FORMATTED


def test_foreign_address_is_not_sent(address_api):
    result = address_check(typed("3", "Rue du Marché", "1204", "Genève", country="Suisse"))
    assert result.status == AddressStatus.FORMATTED
    assert address_api.queries == []
