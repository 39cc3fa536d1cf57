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
    "other_job",
    "alsace_moselle",
    "camieg",
    "public_agents",
    "madelin",
    "individual_contract",
    "solidarity_cover",
    "short_fixed_term",
    "evin_unilateral_decision",
}
ACT_ONLY = {
    "fixed_term_12_months_covered",
    "fixed_term_under_12_months",
    "part_time_10_percent",
    "due_present_at_setup",
}


def test_catalogue_holds_every_case_of_the_issue_with_its_source():
    assert {c.code for c in CASES} == BY_LAW | ACT_ONLY
    assert {c.code for c in ACT_ONLY_CASES} == ACT_ONLY
    for case in CASES:
        assert case.label and case.short_label and case.legal_basis
        assert (case.source == Source.LAW) == (case.code in BY_LAW)
        assert ("R242-1-6" in case.legal_basis) == (case.code in ACT_ONLY)
    assert get_case("short_fixed_term").legal_basis.startswith("Art. L911-7 III")
    assert "loi Évin" in get_case("evin_unilateral_decision").legal_basis
    covered = {
        "spouse_employer": "a)",
        "other_job": "a)",
        "alsace_moselle": "b)",
        "camieg": "c)",
        "public_agents": "d)",
        "madelin": "e)",
    }
    assert {c.code for c in CASES if c.yearly_rejustification} == set(covered)
    for code, letter in covered.items():
        assert f"D911-2 3° {letter} CSS" in get_case(code).legal_basis
        assert "arrêté" not in get_case(code).legal_basis
    # Cass. soc., 7 June 2023: a dependant's cover, compulsory or optional.
    spouse = get_case("spouse_employer")
    assert "21-23.743" in spouse.legal_basis and "obligatoire ou facultative" in spouse.label
    # No time condition for D911-2 1° and 3°: open during membership too.
    assert {c.code for c in CASES if c.during_membership} == set(covered) | {"solidarity_cover"}
    assert "CMU" not in get_case("solidarity_cover").label
    assert "mise en place des garanties ou de l'embauche" in get_case("individual_contract").label
    assert get_case("due_present_at_setup").legal_basis.startswith("Art. R242-1-6 1°")
    assert {c.code for c in CASES if c.end_date_required} == {
        "individual_contract",
        "solidarity_cover",
        "short_fixed_term",
        "fixed_term_12_months_covered",
        "fixed_term_under_12_months",
    }
    assert len(get_case("spouse_employer").proofs) == 2
    assert not get_case("fixed_term_under_12_months").proof_required
    short = get_case("short_fixed_term")
    assert short.needs_insurer_name and short.versement_sante
    assert "contrat responsable" in short.proofs[0]


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


def test_due_cases_follow_the_date_of_the_unilateral_decision_not_the_insurer_contract():
    """R242-1-6 1° (act-only, contribution or not) and loi Évin (contribution) both test
    the hire date against the DUE's date, which stays when the insurer changes."""
    enrolment = employee_enrolment(act_cases=["due_present_at_setup"])
    contract = enrolment.contract
    act = contract.dispensation_settings
    act.unilateral_decision_date = dt.date(2015, 6, 1)
    act.save()
    codes = {c.code for c in cases_open_for(contract, hire_date=dt.date(2015, 5, 31))}
    assert "due_present_at_setup" in codes
    assert "evin_unilateral_decision" not in codes  # no employee contribution
    after_due = {c.code for c in cases_open_for(contract, hire_date=dt.date(2015, 6, 1))}
    assert "due_present_at_setup" not in after_due
    # Hired before the insurer contract's start (01/01/2024) but after the DUE: refused.
    errors = check_case_rules(
        get_case("due_present_at_setup"),
        contract=contract,
        hire_date=dt.date(2020, 1, 1),
        end_date=None,
        insurer_name="",
        today=dt.date(2026, 1, 1),
    )
    assert "le 01/06/2015" in errors["hire_date"]


def test_due_date_required_by_the_settings_that_need_it():
    from dispensations.models import ContractDispensationSettings

    contract = employee_enrolment().contract
    act = ContractDispensationSettings(contract=contract, act_cases=["due_present_at_setup"])
    with pytest.raises(ValidationError) as error:
        act.clean()
    assert "unilateral_decision_date" in error.value.message_dict


def test_only_cases_without_time_condition_open_during_membership():
    contract = employee_enrolment(act_cases=["part_time_10_percent"]).contract
    codes = {c.code for c in cases_open_for(contract, during_membership=True)}
    assert codes == {
        "spouse_employer",
        "other_job",
        "alsace_moselle",
        "camieg",
        "public_agents",
        "madelin",
        "solidarity_cover",
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


def _check_length(code, *, hire, end, insurer="MGEN", contract=None):
    return check_case_rules(
        get_case(code),
        contract=contract or employee_enrolment().contract,  # scheme started 01/01/2024
        hire_date=hire,
        end_date=end,
        insurer_name=insurer,
        today=hire - dt.timedelta(days=1),
    )


def test_a_contract_from_1_january_to_31_december_lasts_12_months():
    contract = employee_enrolment().contract
    hire, end = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    kw = {"hire": hire, "contract": contract}
    assert _check_length("fixed_term_12_months_covered", end=end, **kw) == {}
    assert (
        "moins de 12 mois" in _check_length("fixed_term_under_12_months", end=end, **kw)["end_date"]
    )
    # One day shorter: under 12 months.
    shorter = end - dt.timedelta(days=1)
    assert (
        "au moins 12 mois"
        in _check_length("fixed_term_12_months_covered", end=shorter, **kw)["end_date"]
    )
    assert _check_length("fixed_term_under_12_months", end=shorter, **kw) == {}
    # One day longer: still 12 months or more.
    longer = end + dt.timedelta(days=1)
    assert _check_length("fixed_term_12_months_covered", end=longer, **kw) == {}


def test_a_cover_from_1_january_to_31_march_lasts_3_months():
    contract = employee_enrolment().contract
    kw = {"hire": dt.date(2027, 1, 1), "contract": contract}
    exactly = _check_length("short_fixed_term", end=dt.date(2027, 3, 31), **kw)
    assert "moins de 3 mois" in exactly["end_date"]
    assert _check_length("short_fixed_term", end=dt.date(2027, 3, 30), **kw) == {}
    assert (
        "moins de 3 mois"
        in _check_length("short_fixed_term", end=dt.date(2027, 4, 1), **kw)["end_date"]
    )
    assert (
        "organisme assureur"
        in _check_length("short_fixed_term", end=dt.date(2027, 3, 1), insurer="", **kw)[
            "insurer_name"
        ]
    )


def test_short_cover_is_measured_from_the_scheme_start_when_hired_before_it():
    enrolment = employee_enrolment()
    contract = enrolment.contract  # scheme started 01/01/2024
    # Hired long before; the collective cover would run 01/01/2024 → 30/03/2024.
    kw = {"hire": dt.date(2023, 6, 1), "contract": contract}
    errors = check_case_rules(
        get_case("short_fixed_term"),
        contract=contract,
        hire_date=kw["hire"],
        end_date=dt.date(2024, 3, 30),
        insurer_name="MGEN",
        today=dt.date(2023, 12, 1),
    )
    assert errors == {}


def test_short_fixed_term_needs_the_insurer_name_and_the_responsible_contract_proof():
    enrolment = employee_enrolment()
    hire = future(-5)
    with pytest.raises(ValidationError) as error:
        submit(enrolment, case="short_fixed_term", files=[], end_date=future(30), hire_date=hire)
    assert "insurer_name" in error.value.message_dict
    assert "proofs" in error.value.message_dict
    dispensation = submit(
        enrolment,
        case="short_fixed_term",
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


def test_accepting_a_short_fixed_term_tells_the_company_it_owes_the_versement_sante(
    django_capture_on_commit_callbacks,
):
    from dispensations.services import dispensation_accept
    from mutuelle.models import OutboxMessage

    from ..mutuelle.factories import CorrespondentAccessFactory, UserFactory

    enrolment = employee_enrolment()
    access = CorrespondentAccessFactory(company=enrolment.employee.company)
    CorrespondentAccessFactory()  # another company's correspondent: not told
    short = submit(
        enrolment,
        case="short_fixed_term",
        end_date=future(30),
        hire_date=future(-5),
        insurer="Mutuelle Générale",
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispensation_accept(dispensation=short, by=UserFactory(staff=True))
    message = OutboxMessage.objects.get(key__startswith="versement-sante")
    assert message.recipient == access.user.email
    assert "L911-7-1" in message.body_text and "versement santé" in message.body_text
    assert "Mutuelle Générale" not in message.body_text  # never the employee's insurer


def test_other_cases_do_not_mention_the_versement_sante(django_capture_on_commit_callbacks):
    from dispensations.services import dispensation_accept
    from mutuelle.models import OutboxMessage

    from ..mutuelle.factories import CorrespondentAccessFactory, UserFactory

    enrolment = employee_enrolment()
    CorrespondentAccessFactory(company=enrolment.employee.company)
    with django_capture_on_commit_callbacks(execute=True):
        dispensation_accept(dispensation=submit(enrolment), by=UserFactory(staff=True))
    assert not OutboxMessage.objects.filter(key__startswith="versement-sante").exists()
