import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from tests.benefits.factories import covered_member, settlement
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("member_portal:reimbursements")


@pytest.fixture(autouse=True)
def in_november_2026():
    """The care dates below are of 2026: the page shows the current year's totals and
    « l'année dernière » by the clock, so the clock stays in 2026."""
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, tzinfo=dt.UTC), tick=True):
        yield


def imported(rows):
    job = settlement_import_create(content=build_csv(rows), filename="f.csv")
    settlement_import_run(settlement_import=job)


@pytest.fixture
def member(client):
    enrolment = covered_member()
    client.force_login(enrolment.employee.user)
    return enrolment


def family_rows(member, count):
    spouse, child = member.beneficiaries.order_by("relationship")
    people = [None, spouse, child]
    return [
        settlement(
            member,
            people[n % 3],
            date_soins=dt.date(2026, 1, 1) + dt.timedelta(days=n % 300),
        )
        for n in range(count)
    ]


def test_list_shows_lines_newest_first_with_who_was_paid_and_year_totals(client, member):
    spouse, _child = member.beneficiaries.order_by("relationship")
    imported(
        [
            settlement(member, date_soins=dt.date(2026, 2, 3)),
            settlement(
                member,
                spouse,
                date_soins=dt.date(2026, 3, 4),
                tiers_payant=True,
                professionnel="Pharmacie Centrale",
                code_acte="PHARMACIE",
                secteur="",
            ),
        ]
    )
    page = client.get(LIST)
    assert page.status_code == 200
    text = page.text
    assert text.index("04/03/2026") < text.index("03/02/2026")
    assert "Pharmacie Centrale (tiers payant)" in text
    assert "Paiement en cours" in text
    assert "Claire LAMBERT" in text
    totals = {t.person.name: t for t in page.context["totals"]}
    member_name = f"Paul {member.employee.last_name.upper()}"
    assert totals[member_name].mutuelle_share == Decimal("9.00")
    assert totals["Clémence SIMON"].actual_cost == Decimal("0")
    # A year is not an amount: no thousands separator (« 2 026 »).
    year = page.context["year"]
    assert f"Totaux de l'année {year}</h2>" in text


def test_filters_by_period_and_beneficiaries(client, member):
    spouse, child = member.beneficiaries.order_by("relationship")
    imported(
        [
            settlement(member, date_soins=dt.date(2025, 6, 1)),
            settlement(member, spouse, date_soins=dt.date(2026, 2, 1)),
            settlement(member, child, date_soins=dt.date(2026, 3, 1)),
        ]
    )
    page = client.get(LIST, {"periode": "dates", "du": "01/01/2026", "au": "2026-12-31"})
    assert [line.care_date.year for line, _ in page.context["rows"]] == [2026, 2026]
    page = client.get(LIST, {"beneficiaires": ["adherent", str(child.pk)]})
    assert [name for _, name in page.context["rows"]] == [
        "Clémence SIMON",
        f"Paul {member.employee.last_name.upper()}",
    ]
    page = client.get(LIST, {"periode": "annee-1"})
    assert len(page.context["rows"]) == 1


def test_bad_filter_dates_are_explained_and_kept(client, member):
    page = client.get(LIST, {"periode": "dates", "du": "2026-12-31", "au": "2026-01-01"})
    assert "La date de fin doit être postérieure" in page.text
    assert 'value="2026-12-31"' in page.text


def test_list_query_count_is_constant(client, member, django_assert_num_queries):
    imported(family_rows(member, 1))
    # 8 with the space's menu (the member's enrolments, read once per page).
    with django_assert_num_queries(7):
        client.get(LIST)
    imported(family_rows(member, 120))
    with django_assert_num_queries(7):
        page = client.get(LIST, {"beneficiaires": ["adherent"], "page": "2"})
    assert page.context["page"].number == 1
    assert len(page.context["rows"]) == 41  # the member's own 41 lines of 121


def test_detail_shows_the_computation(client, member):
    imported(
        [
            settlement(
                member,
                code_acte="MEDECINES_DOUCES",
                secteur="",
                frais_reels=Decimal("60.00"),
                base_remboursement=Decimal("0"),
                taux_ro=0,
                montant_ro=Decimal("0"),
                participation_forfaitaire=Decimal("0"),
            )
        ]
    )
    line = member.reimbursement_lines.get()
    page = client.get(reverse("member_portal:reimbursement_detail", args=[line.pk]))
    assert "Détail du calcul" in page.text
    assert "40,00\u00a0€ par acte, 4 acte(s) par année civile" in page.text
    assert "reste 3 sur 4" in page.text


def test_other_members_lines_answer_404(client, member):
    other = covered_member()
    imported([settlement(other)])
    line = other.reimbursement_lines.get()
    response = client.get(reverse("member_portal:reimbursement_detail", args=[line.pk]))
    assert response.status_code == 404
    assert not client.get(LIST).context["rows"]


def test_not_yet_covered_employee_and_correspondent_get_404(client):
    enrolment = EnrolmentFactory(invited=True, employee__user=UserFactory())
    client.force_login(enrolment.employee.user)
    assert client.get(LIST).status_code == 404
    correspondent = CorrespondentAccessFactory(company=enrolment.employee.company).user
    client.force_login(correspondent)
    assert client.get(LIST).status_code == 404
