"""« Mon contrat » shows the prévoyance affiliation beside the health contract; the
space stays about the health contract; the notice is served to its member only."""

import datetime as dt

import pytest

from enrolment.enums import EnrolmentStatus
from member_portal.access import member_context
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import InsuredGroupFactory

from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    enrolment = EnrolmentFactory(ready_to_sign=True, employee__first_name="Fatima")
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    client.force_login(enrolment.employee.user)
    return enrolment


def provident_of(enrolment, **kwargs):
    group = InsuredGroupFactory(
        contract__company=enrolment.employee.company,
        contract__product_line="prevoyance",
        contract__number="PV-0042",
        name="Ensemble du personnel",
    )
    # Created after the health enrolment: the space must still be about health.
    kwargs.setdefault("status", EnrolmentStatus.ACTIVE)
    return EnrolmentFactory(employee=enrolment.employee, group=group, **kwargs)


def test_contract_page_shows_both_contracts(client, member, django_assert_num_queries):
    with django_assert_num_queries(5):
        client.get(url("contract"))
    provident = provident_of(member)
    with django_assert_num_queries(5):
        page = client.get(url("contract")).content.decode()
    assert "Complémentaire santé" in page and "Base + Option 1" in page
    assert member.contract.number in page
    assert '<h2 id="prevoyance-' in page
    assert "PV-0042" in page and provident.member_number in page
    assert "Ensemble du personnel" in page
    assert page.index("Complémentaire santé") < page.index("PV-0042")
    notice_url = url("provident_notice", provident.pk)
    assert notice_url in page
    response = client.get(notice_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # The card and reimbursements stay the health contract's.
    assert client.get(url("card")).status_code == 200


def test_notice_of_someone_else_or_of_health_is_404(client, member):
    other_member = EnrolmentFactory(ready_to_sign=True, status=EnrolmentStatus.ACTIVE)
    others = provident_of(other_member)
    assert client.get(url("provident_notice", others.pk)).status_code == 404
    assert client.get(url("provident_notice", member.pk)).status_code == 404


def test_ended_provident_still_shown_with_its_end(client, member):
    provident_of(member, status=EnrolmentStatus.PORTABILITY, end_date=dt.date(2027, 3, 31))
    page = client.get(url("contract")).content.decode()
    assert "En portabilité — fin de couverture le 31/03/2027" in page


def test_member_requests_and_contributions_act_on_the_health_contract(member):
    # A prévoyance affiliation starting later is still not what requests act on.
    provident = provident_of(member, effective_date=dt.date(2026, 1, 1))
    context = member_context(member.employee.user)
    assert context.enrolment == member
    assert context.covered_enrolment == member
    assert context.provident_enrolments == [provident]
