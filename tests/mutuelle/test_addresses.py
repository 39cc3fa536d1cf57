"""French postal addresses (mutuelle.addresses) and PostalAddress.address_lines."""

import pytest

from mutuelle.addresses import address_lines, postal_code_department, suggest_postal_address
from tests.mutuelle.factories import CompanyFactory


@pytest.mark.parametrize(
    ("code", "department"),
    [
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97110", "971"),
        ("97400", "974"),
        ("75015", "75"),
        ("01000", "01"),
        ("98000", "980"),
    ],
)
def test_postal_code_department(code, department):
    assert postal_code_department(code) == department


def test_suggested_address_upper_case_without_accents():
    suggestion = suggest_postal_address(
        {
            "address_number": "12",
            "address_street": "rue de l'Église",
            "postal_code": "75015",
            "city": "Paris",
            "address_floor": "Bât. B, 3e étage",
            "country": "",
        }
    )
    assert suggestion["address_street"] == "RUE DE L EGLISE"
    assert suggestion["city"] == "PARIS"
    assert suggestion["address_floor"] == "BAT B 3E ETAGE"
    assert suggestion["country"] == "FRANCE"


def test_suggested_address_lines_at_most_38():
    suggestion = suggest_postal_address(
        {
            "address_number": "145",
            "address_street": "Avenue du Maréchal de Lattre de Tassigny",
            "postal_code": "69100",
            "city": "Villeurbanne Cedex Œuvre",
        }
    )
    assert suggestion["address_street"] == "AV DU MAL DE LATTRE DE TASSIGNY"
    lines = address_lines(suggestion)
    assert all(len(line) <= 38 for line in lines)
    assert lines[-1] == "69100 VILLEURBANNE CEDEX OEUVRE"


def test_postal_lines_foreign_country():
    lines = address_lines(
        {
            "address_street": "RUE ROYALE",
            "postal_code": "1000",
            "city": "BRUXELLES",
            "country": "BELGIQUE",
        }
    )
    assert lines == ["RUE ROYALE", "1000 BRUXELLES", "BELGIQUE"]


@pytest.mark.parametrize("country", ["", "France", "FRANCE", "France métropolitaine", "FR"])
def test_france_is_not_printed_whatever_its_spelling(country):
    data = {"address_street": "RUE ROYALE", "postal_code": "75008", "city": "PARIS"}
    assert address_lines(data | {"country": country}) == ["RUE ROYALE", "75008 PARIS"]


@pytest.mark.django_db
@pytest.mark.parametrize("country", ["France métropolitaine", "Belgique"])
def test_model_lines_are_the_function_lines(country):
    company = CompanyFactory(
        address_number="12",
        address_street="RUE ROYALE",
        postal_code="75008",
        city="PARIS",
        country=country,
    )
    expected = ["12 RUE ROYALE", "75008 PARIS"] + ([country] if country == "Belgique" else [])
    assert company.address_lines() == expected
