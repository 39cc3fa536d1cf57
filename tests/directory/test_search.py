import pytest

from directory.enums import Specialty
from directory.models import Agency, PartnerProfessional

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    return [
        Agency.objects.create(
            name="Agence Lyon Part-Dieu",
            address_number="10",
            address_street="RUE DE LA VILLETTE",
            postal_code="69003",
            city="Lyon",
            opening_hours="Lundi au vendredi : 9 h – 18 h",
            phone="+33472000000",
        ),
        Agency.objects.create(name="Agence Ajaccio", postal_code="20000", city="Ajaccio"),
        Agency.objects.create(
            name="Agence Saint-Étienne", postal_code="42000", city="Saint-Étienne"
        ),
        PartnerProfessional.objects.create(
            name="Optique du Parc",
            specialty=Specialty.OPTICIAN,
            postal_code="69006",
            city="Lyon",
        ),
    ]


def test_search_by_postcode_department_or_town(entries):
    assert [a.name for a in Agency.objects.search("69003")] == ["Agence Lyon Part-Dieu"]
    assert [a.name for a in Agency.objects.search("2a")] == ["Agence Ajaccio"]
    assert [a.name for a in Agency.objects.search("42")] == ["Agence Saint-Étienne"]
    assert [a.name for a in Agency.objects.search("saint etienne")] == ["Agence Saint-Étienne"]
    assert [a.name for a in Agency.objects.search("ÉTIENNE")] == ["Agence Saint-Étienne"]
    assert [p.name for p in PartnerProfessional.objects.search("69")] == ["Optique du Parc"]
    assert Agency.objects.search("").count() == 3
    assert not Agency.objects.search("75001").exists()


def test_department_and_search_key_are_derived_on_save(entries):
    lyon = entries[0]
    assert lyon.department == "69" and lyon.city_key == "LYON"
    assert entries[1].department == "2A"
