import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dispensations.cases import (
    ACT_ONLY_CASES,
    CASES,
    Source,
    cases_open_for,
    check_case_rules,
    get_case,
)
from dispensations.models import Dispensation

from .factories import employee_enrolment, future, submit

pytestmark = pytest.mark.django_db

BY_LAW = {
    "spouse_employer",
    "alsace_moselle",
    "camieg",
    "public_agents",
    "madelin",
    "individual_contract",
    "solidarity_cover",
    "short_fixed_term",
    "evin_unilateral_decision",
}
ACT_ONLY = {"fixed_term_12_months_covered", "fixed_term_under_12_months", "part_time_10_percent"}


def test_catalogue_holds_every_case_of_the_issue_with_its_source():
    assert {c.code for c in CASES} == BY_LAW | ACT_ONLY
    assert {c.code for c in ACT_ONLY_CASES} == ACT_ONLY
    for case in CASES:
        assert case.label and case.short_label and case.legal_basis
        assert (case.source == Source.LAW) == (case.code in BY_LAW)
        assert ("R242-1-6" in case.legal_basis) == (case.code in ACT_ONLY)
    assert get_case("short_fixed_term").legal_basis.startswith("Art. L911-7 III")
    assert "loi Évin" in get_case("evin_unilateral_decision").legal_basis
    covered = {"spouse_employer", "alsace_moselle", "camieg", "public_agents", "madelin"}
    assert {c.code for c in CASES if c.yearly_rejustification} == covered
    assert all("D911-2" in get_case(code).legal_basis for code in covered)
    assert {c.code for c in CASES if c.end_date_required} == {
        "individual_contract",
        "solidarity_cover",
        "short_fixed_term",
        "fixed_term_12_months_covered",
        "fixed_term_under_12_months",
    }
    assert len(get_case("spouse_employer").proofs) == 2
    assert not get_case("fixed_term_under_12_months").proof_required
    assert get_case("short_fixed_term").needs_insurer_name


def test_act_only_and_evin_cases_open_only_where_the_contract_says_so():
    plain = employee_enrolment()
    assert {c.code for c in cases_open_for(plain.contract)} == BY_LAW - {"evin_unilateral_decision"}
    configured = employee_enrolment(
        act_cases=["fixed_term_under_12_months"], unilateral=True
    ).contract
    assert {c.code for c in cases_open_for(configured)} == BY_LAW | {"fixed_term_under_12_months"}
    # Hired after the scheme started: loi Évin does not apply.
    late = configured.start_date + dt.timedelta(days=1)
    assert "evin_unilateral_decision" not in {
        c.code for c in cases_open_for(configured, hire_date=late)
    }


def test_act_only_case_refused_where_the_contract_does_not_provide_it():
    enrolment = employee_enrolment()
    with pytest.raises(ValidationError) as error:
        submit(enrolment, case="fixed_term_under_12_months", files=[], end_date=future(60))
    assert "n'est pas prévu par le contrat" in error.value.message_dict["case"][0]
    assert not Dispensation.objects.exists()


def test_act_only_case_accepted_where_the_contract_provides_it():
    enrolment = employee_enrolment(act_cases=["fixed_term_under_12_months"])
    hire = future(-10)
    dispensation = submit(
        enrolment, case="fixed_term_under_12_months", files=[], end_date=future(100), hire_date=hire
    )
    assert dispensation.end_date == future(100)


@pytest.mark.parametrize(
    "code",
    [
        "spouse_employer",
        "alsace_moselle",
        "camieg",
        "public_agents",
        "madelin",
        "part_time_10_percent",
    ],
)
def test_cases_with_proof_refuse_a_request_without_it(code):
    enrolment = employee_enrolment(act_cases=["part_time_10_percent"])
    with pytest.raises(ValidationError) as error:
        submit(enrolment, case=code, files=[])
    assert error.value.message_dict["proofs"] == ["Joignez le justificatif demandé pour ce motif."]
    assert submit(enrolment, case=code).case == code


@pytest.mark.parametrize("code", ["individual_contract", "solidarity_cover"])
def test_end_date_required_future_and_within_a_year(code):
    case = get_case(code)
    contract = employee_enrolment().contract
    today = dt.date(2026, 5, 4)

    def check(end):
        return check_case_rules(
            case, contract=contract, hire_date=today, end_date=end, insurer_name="", today=today
        )

    assert "end_date" in check(None)
    assert "end_date" in check(today)
    assert "un an" in check(dt.date(2027, 5, 5))["end_date"]
    assert check(dt.date(2027, 5, 4)) == {}


def test_fixed_term_lengths():
    contract = employee_enrolment().contract  # scheme started 01/01/2024
    today = dt.date(2026, 1, 10)
    hire = dt.date(2026, 1, 5)

    def check(code, end, insurer=""):
        return check_case_rules(
            get_case(code),
            contract=contract,
            hire_date=hire,
            end_date=end,
            insurer_name=insurer,
            today=today,
        )

    assert (
        "au moins 12 mois" in check("fixed_term_12_months_covered", dt.date(2027, 1, 4))["end_date"]
    )
    assert check("fixed_term_12_months_covered", dt.date(2027, 1, 5)) == {}
    assert (
        "moins de 12 mois" in check("fixed_term_under_12_months", dt.date(2027, 1, 5))["end_date"]
    )
    assert check("fixed_term_under_12_months", dt.date(2027, 1, 4)) == {}
    assert "moins de 3 mois" in check("short_fixed_term", dt.date(2026, 4, 5), "MGEN")["end_date"]
    assert check("short_fixed_term", dt.date(2026, 4, 4), "MGEN") == {}
    assert "organisme assureur" in check("short_fixed_term", dt.date(2026, 3, 1))["insurer_name"]


def test_short_fixed_term_needs_the_sworn_insurer_name_but_no_file():
    enrolment = employee_enrolment()
    hire = future(-5)
    with pytest.raises(ValidationError) as error:
        submit(enrolment, case="short_fixed_term", files=[], end_date=future(30), hire_date=hire)
    assert "insurer_name" in error.value.message_dict
    dispensation = submit(
        enrolment,
        case="short_fixed_term",
        files=[],
        end_date=future(30),
        hire_date=hire,
        insurer="Mutuelle Générale",
    )
    assert dispensation.insurer_name == "Mutuelle Générale"
    assert dispensation.sworn_statement_accepted_at is not None


def test_evin_case_needs_an_employee_hired_before_the_scheme():
    enrolment = employee_enrolment(unilateral=True)
    start = enrolment.contract.start_date
    with pytest.raises(ValidationError) as error:
        submit(enrolment, case="evin_unilateral_decision", files=[], hire_date=start)
    assert "présents lors de la mise en place" in error.value.message_dict["hire_date"][0]
    dispensation = submit(
        enrolment, case="evin_unilateral_decision", files=[], hire_date=start - dt.timedelta(days=1)
    )
    assert dispensation.end_date is None and dispensation.rejustify_by is None


def test_sworn_statement_must_be_accepted():
    with pytest.raises(ValidationError) as error:
        submit(employee_enrolment(), sworn_statement=False)
    assert "sworn_statement" in error.value.message_dict
