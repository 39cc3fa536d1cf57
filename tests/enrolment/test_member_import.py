"""``manage.py import_members``: members enrolled outside the portal, bad rows refused
with a rejection file."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from enrolment.enums import EnrolmentStatus
from enrolment.models import Enrolment
from enrolment.services.member_import import HEADERS, members_import
from tests.enrolment.factories import EmployeeFactory, make_nir
from tests.mutuelle.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    return OfferFactory(group__name="Non-cadres", group__contract__number="CS-2024-00017")


def _line(offer, **overrides) -> list[str]:
    values = {
        "member_number": "18004512",
        "siret": offer.contract.company.siret,
        "contract": "CS-2024-00017",
        "group": "non-cadres",
        "civility": "Madame",
        "last_name": "Lefèvre",
        "first_name": "Élise",
        "birth_date": "14/06/1979",
        "nir": make_nir(77, sex="2", year=79, month=6),
        "address_number": "8",
        "address_street": "rue des Tilleuls",
        "address_building": "",
        "postal_code": "69003",
        "city": "Lyon",
        "effective_date": "01/01/2024",
        "offer": "Base",
        **overrides,
    }
    return list(values.values())


def _csv(*lines) -> bytes:
    rows = [";".join(HEADERS), *(";".join(line) for line in lines)]
    return ("\ufeff" + "\n".join(rows) + "\n").encode()


def test_valid_rows_become_managed_members_without_account(offer):
    result = members_import(data=_csv(_line(offer)))
    assert not result.rejected
    enrolment = Enrolment.objects.get()
    assert enrolment.member_number == "18004512"
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.offer == offer
    assert enrolment.employee.user is None
    assert enrolment.employee.nir == make_nir(77, sex="2", year=79, month=6)
    assert enrolment.employee.changes.filter(label__contains="import").exists()
    assert Enrolment.objects.with_member_number("18004512").get() == enrolment


def test_bad_rows_are_refused_into_a_rejection_file(offer, tmp_path, capsys):
    EmployeeFactory(company=offer.contract.company, nir=make_nir(55, sex="2", year=79, month=6))
    lines = [
        _line(offer),
        _line(offer, member_number="18004513", first_name="Anne"),
        _line(offer, member_number="18004512", nir=make_nir(78, sex="2", year=79, month=6)),
        _line(offer, member_number="22000001", nir=make_nir(79, sex="2", year=79, month=6)),
        _line(offer, member_number="18004514", birth_date="31/02/1979"),
        _line(offer, member_number="18004515", group="Cadres", siret="12345678901234"),
        _line(offer, member_number="18004516", nir=make_nir(55, sex="2", year=79, month=6)),
        _line(offer, member_number="18004517", nir=make_nir(80, sex="1", year=79, month=6)),
        _line(offer, member_number="=HYPERLINK()", nir=make_nir(81, sex="2", year=79, month=6)),
    ]
    path = tmp_path / "adherents.csv"
    path.write_bytes(_csv(*lines))
    call_command("import_members", str(path))
    out = capsys.readouterr().out
    assert "1 adhérent(s) importé(s), 8 en erreur" in out
    rejection = out.split("Fichier de rejet : ", 1)[1].strip()
    with default_storage.open(rejection, "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "Nature de l'erreur"]
    errors = [row[-1] for row in rows[1:]]
    assert "plus haut dans le fichier" in errors[0]  # same NIR as line 1
    assert "figure deux fois" in errors[1]
    assert "plage des numéros" in errors[2]
    assert "JJ/MM/AAAA" in errors[3]
    assert "aucune entreprise cliente" in errors[4]
    assert "déjà ce numéro" in errors[5]
    assert "N° de sécurité sociale" in errors[6]
    assert rows[8][0] == "'=HYPERLINK()"  # formula kept as text
    assert Enrolment.objects.count() == 1


def test_wrong_columns_refuse_the_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"Nom;Prenom\nA;B\n")
    with pytest.raises(CommandError, match="colonnes"):
        call_command("import_members", str(path), stdout=io.StringIO())
