import datetime as dt

import pytest

from enrolment.enums import EnrolmentStatus, PostalLetterKind, RequestStatus, RequestType
from enrolment.models import Employee, Enrolment, PostalLetter, Request, RequestEvent
from enrolment.services.preaffiliation import (
    PreAffiliationInvalid,
    check_employee,
    check_employees,
    employee_errors,
    enrolment_pre_affiliate,
)
from enrolment.services.preaffiliation.checks import DUPLICATE_ON_CONTRACT_MESSAGE
from enrolment.services.preaffiliation.parsing import parse_civility, parse_date, parse_yes_no
from mutuelle.models import OutboxMessage

from ..mutuelle.factories import ContractFactory, InsuredGroupFactory, UserFactory
from .factories import EmployeeFactory, EnrolmentFactory, make_nir

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def corsica_nir(department: str = "2A") -> str:
    body = f"1851020{'004' if department == '2A' else '033'}123"
    numeric = int(body.replace("2A", "19").replace("2B", "18"))
    body = body[:5] + department + body[7:]
    numeric = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - numeric % 97:02d}"


def row(**overrides) -> dict:
    data = {
        "civility": "Monsieur",
        "last_name": "Dupont",
        "first_name": "Jean-Pierre",
        "birth_date": "12/10/1985",
        "nir": make_nir(1),
        "insurance_fund_code": "",
        "email": "jp.dupont@example.fr",
        "address_floor": "",
        "address_building": "",
        "address_number": "",
        "address_street": "",
        "address_locality": "",
        "postal_code": "",
        "city": "",
        "country": "",
        "payroll_id": "A-001",
        "hire_date": "01/09/2026",
        "alsace_moselle": "Non",
        "effective_date": "01/10/2026",
    }
    data.update(overrides)
    return data


@pytest.fixture
def contract():
    return ContractFactory(start_date=dt.date(2024, 1, 1))


def errors_of(contract, **overrides):
    return check_employee(
        row(**overrides), company=contract.company, contract=contract, today=TODAY
    ).errors


def test_valid_row_has_no_errors_and_is_cleaned(contract):
    check = check_employee(row(), company=contract.company, contract=contract, today=TODAY)
    assert check.errors == {}
    assert check.data["civility"] == "M"
    assert check.data["birth_date"] == dt.date(1985, 10, 12)
    assert check.data["alsace_moselle"] is False
    assert check.data["country"] == "FRANCE"
    assert len(check.nir_hash) == 64


@pytest.mark.parametrize(
    "field",
    [
        "civility",
        "last_name",
        "first_name",
        "birth_date",
        "nir",
        "hire_date",
        "alsace_moselle",
        "effective_date",
    ],
)
def test_mandatory_fields(contract, field):
    errors = errors_of(contract, **{field: ""})
    assert errors[field] and "obligatoire" in errors[field][0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("M", "M"),
        ("m", "M"),
        ("Monsieur", "M"),
        ("MONSIEUR", "M"),
        ("Mme", "MME"),
        ("mme", "MME"),
        ("Madame", "MME"),
        ("madame", "MME"),
        ("MME", "MME"),
    ],
)
def test_civility_accepted(value, expected):
    assert parse_civility(value) == expected


@pytest.mark.parametrize("value", ["Mr Dupont", "Docteur", "X", "2"])
def test_civility_refused(contract, value):
    assert errors_of(contract, civility=value)["civility"] == [
        "La civilité doit être M, Mme, Monsieur ou Madame."
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Oui", True),
        ("OUI", True),
        ("oui", True),
        ("Non", False),
        ("non", False),
        ("NON", False),
        (True, True),
        (False, False),
    ],
)
def test_yes_no_accepted(value, expected):
    assert parse_yes_no(value) is expected


def test_yes_no_refused(contract):
    assert errors_of(contract, alsace_moselle="Peut-être")["alsace_moselle"] == [
        "Le régime local Alsace-Moselle doit valoir Oui ou Non."
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12/10/1985", dt.date(1985, 10, 12)),
        ("1/2/1985", dt.date(1985, 2, 1)),
        ("12-10-1985", dt.date(1985, 10, 12)),
        ("1985-10-12", dt.date(1985, 10, 12)),
        (dt.datetime(1985, 10, 12, 0, 0), dt.date(1985, 10, 12)),
        (dt.date(1985, 10, 12), dt.date(1985, 10, 12)),
        (31332.0, dt.date(1985, 10, 12)),
    ],
)
def test_dates_accepted(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/1985", "12/10/85", "demain", "1985/10/12"])
def test_dates_refused(contract, value):
    assert errors_of(contract, birth_date=value)["birth_date"] == [
        "La date de naissance doit être une date valide au format JJ/MM/AAAA."
    ]


@pytest.mark.parametrize(
    "nir",
    [
        make_nir(1),
        " ".join([make_nir(1)[0], make_nir(1)[1:3], make_nir(1)[3:]]),
        "1 85 10 75 001 000 " + make_nir(1)[-2:],
    ],
)
def test_nir_with_or_without_spaces(contract, nir):
    assert "nir" not in errors_of(contract, nir=nir)


def test_nir_bad_key(contract):
    nir = make_nir(1)
    bad = nir[:-2] + f"{(int(nir[-2:]) + 1) % 100:02d}"
    assert errors_of(contract, nir=bad)["nir"] == [
        "Le numéro de sécurité sociale est invalide (clé de contrôle incorrecte)."
    ]


def test_nir_bad_length(contract):
    assert "15 caractères" in errors_of(contract, nir="18510")["nir"][0]


@pytest.mark.parametrize("department", ["2A", "2B"])
def test_nir_corsica_accepted(contract, department):
    assert "nir" not in errors_of(contract, nir=corsica_nir(department))


def test_nir_inconsistent_with_civility(contract):
    errors = errors_of(contract, civility="Madame")
    assert "ne correspond pas à la civilité" in errors["nir"][0]


def test_nir_inconsistent_with_birth_date(contract):
    errors = errors_of(contract, birth_date="12/11/1984")
    assert any("année" in m for m in errors["nir"])
    assert any("mois" in m for m in errors["nir"])


@pytest.mark.parametrize("month", [20, 42, 50, 63])
def test_nir_unknown_birth_month_is_legal(contract, month):
    assert "nir" not in errors_of(contract, nir=make_nir(1, month=month))


def test_nir_temporary_number_is_legal(contract):
    assert "nir" not in errors_of(contract, nir=make_nir(1, sex="7"), civility="Madame")


def test_nir_impossible_month(contract):
    assert "impossible" in errors_of(contract, nir=make_nir(1, month=15))["nir"][0]


def test_email_invalid(contract):
    assert errors_of(contract, email="jp.dupont@")["email"] == [
        "L'adresse e-mail est invalide (exemple : prenom.nom@domaine.fr)."
    ]


def test_no_email_requires_full_postal_address(contract):
    errors = errors_of(contract, email="")
    assert set(errors) == {"address_street", "postal_code", "city"}
    assert "par courrier" in errors["city"][0]


def test_no_email_with_address_accepted_number_optional(contract):
    errors = errors_of(
        contract,
        email="",
        address_street="Lieu-dit Les Granges",
        postal_code="38000",
        city="Grenoble",
    )
    assert errors == {}


@pytest.mark.parametrize("code", ["7501", "750155", "7500A"])
def test_postal_code_not_five_digits(contract, code):
    errors = errors_of(contract, postal_code=code, address_street="Rue X", city="Paris")
    assert errors["postal_code"] == ["Le code postal doit comporter 5 chiffres."]


@pytest.mark.parametrize("code", ["00100", "96000", "99000", "20900", "97000", "98400"])
def test_postal_code_without_department(contract, code):
    errors = errors_of(contract, postal_code=code, address_street="Rue X", city="Ville")
    assert "aucun département" in errors["postal_code"][0]


def test_postal_code_zero_restored_from_number(contract):
    check = check_employee(
        row(postal_code=1000.0, address_street="Rue X", city="Bourg"),
        company=contract.company,
        contract=contract,
        today=TODAY,
    )
    assert check.data["postal_code"] == "01000" and check.errors == {}


def test_overseas_country_must_match_postal_code(contract):
    errors = errors_of(
        contract, postal_code="75001", country="Guadeloupe", city="X", address_street="Y"
    )
    assert "commencent par 971" in errors["postal_code"][0]
    assert errors_of(contract, postal_code="97110", country="Guadeloupe") == {}


def test_foreign_postal_code_is_free(contract):
    assert errors_of(contract, postal_code="1000", country="Belgique", city="Bruxelles") == {}


def test_address_line_too_long(contract):
    errors = errors_of(contract, address_street="x" * 39)
    assert errors["address_street"] == ["Libellé de la voie : 38 caractères au maximum."]


def test_name_with_digits_refused(contract):
    assert "lettres" in errors_of(contract, last_name="Dup0nt")["last_name"][0]


@pytest.mark.parametrize("name", ["O'Neil", "Le Gall", "Müller-Lüdenscheidt", "N’Diaye"])
def test_names_accepted(contract, name):
    assert errors_of(contract, last_name=name) == {}


def test_fund_code(contract):
    assert errors_of(contract, insurance_fund_code="01 751 1234") == {}
    assert "chiffres" in errors_of(contract, insurance_fund_code="CPAM")["insurance_fund_code"][0]


def test_birth_date_in_future(contract):
    errors = errors_of(contract, birth_date="01/01/2027", nir=make_nir(1, year=27, month=1))
    assert "dans le passé" in errors["birth_date"][0]


def test_too_young_at_hire(contract):
    errors = errors_of(contract, birth_date="12/10/2013", nir=make_nir(1, year=13, month=10))
    assert errors["birth_date"] == ["Le salarié doit avoir au moins 14 ans à la date d'embauche."]


def test_fourteen_at_hire_accepted(contract):
    errors = errors_of(contract, birth_date="01/09/2012", nir=make_nir(1, year=12, month=9))
    assert errors == {}


def test_too_old_at_hire(contract):
    errors = errors_of(contract, birth_date="12/10/1920", nir=make_nir(1, year=20, month=10))
    assert "plus de 100 ans" in errors["birth_date"][0]


def test_hire_date_more_than_three_months_ahead(contract):
    errors = errors_of(contract, hire_date="01/03/2027", effective_date="01/03/2027")
    assert "3 mois" in errors["hire_date"][0]
    assert errors_of(contract, hire_date="20/02/2027", effective_date="20/02/2027") == {}


def test_effective_date_before_contract_start(contract):
    errors = errors_of(contract, hire_date="01/06/2023", effective_date="01/12/2023")
    assert errors["effective_date"] == [
        "La date d'effet ne peut pas précéder le début du contrat (01/01/2024)."
    ]


def test_effective_date_before_hire_date(contract):
    errors = errors_of(contract, hire_date="01/09/2026", effective_date="01/08/2026")
    assert errors["effective_date"] == ["La date d'effet ne peut pas précéder la date d'embauche."]


def test_duplicate_open_enrolment_on_contract(contract):
    group = InsuredGroupFactory(contract=contract)
    employee = EmployeeFactory(company=contract.company, nir=make_nir(1))
    EnrolmentFactory(employee=employee, group=group, contract=contract, invited=True)
    assert errors_of(contract)["nir"] == [DUPLICATE_ON_CONTRACT_MESSAGE]


def test_closed_enrolment_is_not_a_duplicate(contract):
    group = InsuredGroupFactory(contract=contract)
    employee = EmployeeFactory(company=contract.company, nir=make_nir(1))
    EnrolmentFactory(
        employee=employee, group=group, contract=contract, status=EnrolmentStatus.TERMINATED
    )
    assert errors_of(contract) == {}


def test_same_nir_in_other_company_is_not_a_duplicate(contract):
    other = ContractFactory()
    employee = EmployeeFactory(company=other.company, nir=make_nir(1))
    EnrolmentFactory(employee=employee, group=InsuredGroupFactory(contract=other), contract=other)
    assert employee_errors(row(), company=contract.company, contract=contract, today=TODAY) == {}


def test_duplicates_inside_batch(contract):
    checks = check_employees(
        [row(), row(first_name="Paul"), row(nir=make_nir(2))],
        company=contract.company,
        contract=contract,
        today=TODAY,
        row_numbers=[2, 3, 4],
    )
    assert "aussi ligne 3" in checks[0].errors["nir"][0]
    assert "aussi ligne 2" in checks[1].errors["nir"][0]
    assert checks[2].errors == {}


def test_check_employees_one_query(contract, django_assert_num_queries):
    rows = [row(nir=make_nir(n)) for n in range(1, 50)]
    with django_assert_num_queries(1):
        checks = check_employees(rows, company=contract.company, contract=contract, today=TODAY)
    assert all(c.is_valid for c in checks)


def test_typed_form_values_accepted(contract):
    data = row(
        civility="MME",
        birth_date=dt.date(1985, 10, 12),
        hire_date=dt.date(2026, 9, 1),
        effective_date=dt.date(2026, 10, 1),
        alsace_moselle=True,
        nir=make_nir(1, sex="2"),
    )
    check = check_employee(data, company=contract.company, contract=contract, today=TODAY)
    assert check.errors == {}
    assert check.data["alsace_moselle"] is True


def test_contract_of_other_company_rejected(contract):
    with pytest.raises(ValueError):
        check_employee(row(), company=ContractFactory().company, contract=contract)


# --- Creation ------------------------------------------------------------------------


def test_pre_affiliate_creates_everything_and_invites(contract, django_capture_on_commit_callbacks):
    group = InsuredGroupFactory(contract=contract)
    user = UserFactory()
    rows = [
        row(),
        row(
            nir=make_nir(2),
            email="",
            address_street="Rue X",
            postal_code="75015",
            city="Paris",
            first_name="Luc",
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        enrolments = enrolment_pre_affiliate(
            company=contract.company,
            contract=contract,
            group=group,
            rows=rows,
            by=user,
            today=TODAY,
        )
    assert len(enrolments) == 2
    employee = Employee.objects.get(first_name="Jean-Pierre")
    assert employee.nir == make_nir(1)
    assert employee.masked_nir.startswith("1 ")
    assert employee.civility == "M"
    enrolment = Enrolment.objects.get(employee=employee)
    assert enrolment.status == EnrolmentStatus.INVITED
    assert enrolment.group == group and enrolment.created_by == user
    request = Request.objects.get(enrolment=enrolment)
    assert request.type == RequestType.AFFILIATION and request.status == RequestStatus.WAITING
    labels = list(request.events.values_list("label", flat=True))
    assert labels[0] == "Pré-affiliation déclarée par l'entreprise (formulaire)"
    assert labels[1] == "Invitation envoyée au salarié"
    assert OutboxMessage.objects.filter(key=f"invitation:{enrolment.pk}").count() == 1
    # Employee without e-mail: invited by post, no e-mail sent.
    postal = Enrolment.objects.get(employee__first_name="Luc")
    assert postal.status == EnrolmentStatus.INVITED
    assert OutboxMessage.objects.count() == 1
    assert next(e for e in enrolments if not e.employee.email).pk == postal.pk
    # The service itself decides the letters: two for the employee without e-mail only.
    assert sorted(PostalLetter.objects.values_list("enrolment_id", "kind")) == [
        (postal.pk, PostalLetterKind.IDENTIFIER),
        (postal.pk, PostalLetterKind.PASSWORD),
    ]


def test_the_bulk_creation_drops_the_cached_counters(contract):
    """Bulk inserts send no post_save: the creation drops the counts itself."""
    from employer_portal.selectors import company_counters

    group = InsuredGroupFactory(contract=contract)
    assert company_counters(contract.company)["waiting"] == 0
    enrolment_pre_affiliate(
        company=contract.company, contract=contract, group=group, rows=[row()], by=None, today=TODAY
    )
    assert company_counters(contract.company)["waiting"] == 1


def test_invitations_are_sent_once(contract, django_capture_on_commit_callbacks):
    from enrolment.tasks import send_invitations

    group = InsuredGroupFactory(contract=contract)
    with django_capture_on_commit_callbacks(execute=True):
        enrolments = enrolment_pre_affiliate(
            company=contract.company,
            contract=contract,
            group=group,
            rows=[row()],
            by=None,
            today=TODAY,
        )
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations([enrolments[0].pk])
    assert OutboxMessage.objects.count() == 1


def test_pre_affiliate_all_or_nothing(contract):
    group = InsuredGroupFactory(contract=contract)
    with pytest.raises(PreAffiliationInvalid) as excinfo:
        enrolment_pre_affiliate(
            company=contract.company,
            contract=contract,
            group=group,
            rows=[row(), row(nir=make_nir(2), last_name="")],
            by=None,
            today=TODAY,
        )
    assert list(excinfo.value.errors) == [1]
    assert not Employee.objects.exists() and not Request.objects.exists()


def test_pre_affiliate_refuses_duplicate_even_with_checked_rows(contract):
    group = InsuredGroupFactory(contract=contract)
    checks = check_employees([row()], company=contract.company, contract=contract, today=TODAY)
    enrolment_pre_affiliate(
        company=contract.company, contract=contract, group=group, rows=checks, by=None, today=TODAY
    )
    with pytest.raises(PreAffiliationInvalid) as excinfo:
        enrolment_pre_affiliate(
            company=contract.company,
            contract=contract,
            group=group,
            rows=checks,
            by=None,
            today=TODAY,
        )
    assert excinfo.value.errors == {0: {"nir": [DUPLICATE_ON_CONTRACT_MESSAGE]}}
    assert Enrolment.objects.count() == 1


def test_returning_employee_is_reused(contract):
    group = InsuredGroupFactory(contract=contract)
    employee = EmployeeFactory(
        company=contract.company, nir=make_nir(1), hire_date=dt.date(2020, 1, 1)
    )
    EnrolmentFactory(
        employee=employee, group=group, contract=contract, status=EnrolmentStatus.TERMINATED
    )
    enrolments = enrolment_pre_affiliate(
        company=contract.company,
        contract=contract,
        group=group,
        rows=[row()],
        by=None,
        today=TODAY,
    )
    assert enrolments[0].employee.pk == employee.pk
    employee.refresh_from_db()
    assert employee.hire_date == dt.date(2026, 9, 1)
    assert employee.first_name == "Jean-Pierre"
    assert Employee.objects.count() == 1


def test_the_duplicate_check_is_planned_for_each_round(contract):
    """PostgreSQL: the rounds of a file import run the same lookups again and again in
    one growing transaction; they are never prepared (see mutuelle.bulk)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI).")
    group = InsuredGroupFactory(contract=contract)
    for n in range(1, 8):
        enrolment_pre_affiliate(
            company=contract.company,
            contract=contract,
            group=group,
            rows=[row(nir=make_nir(n), payroll_id=f"A-{n}")],
            by=None,
            today=TODAY,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert not [s for s in prepared if '"nir_hash" IN (' in s]
    assert Enrolment.objects.filter(contract=contract).count() == 7


def test_pre_affiliate_query_count_does_not_grow(contract):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group = InsuredGroupFactory(contract=contract)
    counts = []
    for first, last in ((1, 3), (100, 135)):
        rows = [row(nir=make_nir(n)) for n in range(first, last)]
        with CaptureQueriesContext(connection) as context:
            enrolment_pre_affiliate(
                company=contract.company,
                contract=contract,
                group=group,
                rows=rows,
                by=None,
                today=TODAY,
            )
        counts.append(len(context))
    assert counts[0] == counts[1] <= 14
    assert RequestEvent.objects.count() == 2 + 35


def test_group_of_other_contract_refused(contract):
    group = InsuredGroupFactory()
    with pytest.raises(ValueError):
        enrolment_pre_affiliate(
            company=contract.company, contract=contract, group=group, rows=[row()], by=None
        )
    own = InsuredGroupFactory(contract=contract)
    assert "group" in errors_of(contract, group=group)
    assert "group" not in errors_of(contract, group=own)


def test_rows_are_found_back_by_their_keys_not_their_creation_time(contract):
    """Two declarations at the very same instant on one contract: each one's requests
    and history stay with its own enrolments."""
    import time_machine

    group = InsuredGroupFactory(contract=contract)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        first = enrolment_pre_affiliate(
            company=contract.company, contract=contract, group=group, rows=[row()], by=None
        )
        second = enrolment_pre_affiliate(
            company=contract.company,
            contract=contract,
            group=group,
            rows=[row(nir=make_nir(n), first_name=f"Luc{chr(64 + n)}") for n in (2, 3)],
            by=None,
        )
    assert Enrolment.objects.filter(created_at=first[0].created_at).count() == 3
    for enrolment in [*first, *second]:
        request = Request.objects.get(enrolment=enrolment)
        assert request.employee_id == enrolment.employee_id
        (event,) = request.events.all()
        assert (event.from_status, event.to_status) == ("", EnrolmentStatus.PRE_AFFILIATED)


def test_declaration_is_the_first_step_of_the_transition_table():
    from enrolment.exceptions import InvalidTransition
    from enrolment.models import NEW, enrolment_step

    step = enrolment_step(NEW, EnrolmentStatus.PRE_AFFILIATED, label="Déclarée")
    assert step == (NEW, EnrolmentStatus.PRE_AFFILIATED, RequestStatus.WAITING, "Déclarée")
    with pytest.raises(InvalidTransition):
        enrolment_step(NEW, EnrolmentStatus.INVITED)
    assert enrolment_step(EnrolmentStatus.SIGNED, EnrolmentStatus.ACTIVE).request_status == (
        RequestStatus.CLOSED
    )


def test_large_declaration_in_several_rounds(contract, monkeypatch):
    """More rows than one round of inserts: every row gets its own records."""
    from enrolment.services.preaffiliation import create

    monkeypatch.setattr(create, "CREATE_BATCH_SIZE", 2)
    group = InsuredGroupFactory(contract=contract)
    returning = EmployeeFactory(company=contract.company, nir=make_nir(4))
    rows = [row(nir=make_nir(n), first_name=f"Luc{chr(64 + n)}") for n in range(1, 6)]
    enrolments = enrolment_pre_affiliate(
        company=contract.company, contract=contract, group=group, rows=rows, by=None
    )
    assert [e.employee.first_name for e in enrolments] == [f"Luc{chr(64 + n)}" for n in range(1, 6)]
    assert enrolments[3].employee_id == returning.pk
    assert RequestEvent.objects.filter(request__enrolment__in=enrolments).count() == 5


@pytest.mark.parametrize("count", [1, 40])
def test_bulk_creation_queries_do_not_grow_with_the_rows(
    contract, count, django_assert_num_queries
):
    """Checked rows are created with a fixed number of statements whatever their
    number: the savepoint, the two NIR lookups (open on the contract — the rows were
    checked beforehand, so not the whole contract again —, known in the company), one
    INSERT … RETURNING each for the employees, enrolments and requests,
    one for the history events, and the savepoint's release."""
    from enrolment.services.preaffiliation import enrolment_pre_affiliate_ids

    group = InsuredGroupFactory(contract=contract)
    checks = check_employees(
        [row(nir=make_nir(n), email=f"salarie{n}@exemple.fr") for n in range(1, count + 1)],
        company=contract.company,
        contract=contract,
        today=TODAY,
    )
    with django_assert_num_queries(8):
        ids = enrolment_pre_affiliate_ids(
            company=contract.company,
            contract=contract,
            group=group,
            rows=checks,
            by=None,
            today=TODAY,
        )
    assert len(ids) == count == Request.objects.filter(enrolment__in=ids).count()
    assert RequestEvent.objects.filter(request__enrolment__in=ids).count() == count
